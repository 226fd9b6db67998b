// Overlapping spans on one grid, as both long inputs are cut: a suspect into the windows it is
// matched in as it is decoded (`Matching.SuspectWindows`), a long reference into the pieces it
// is read from the store in (`Pipeline`). Span k is [k·step, k·step + length), step = length −
// overlap, so any stretch up to `overlap` long lies whole inside one span and a longer one has a
// part at least that long in one.

public struct TimeGrid: Sendable, Equatable {
    public var length: Double
    public var overlap: Double

    public init(length: Double, overlap: Double) {
        precondition(overlap >= 0 && overlap < length, "TimeGrid: overlap must be in 0..<length")
        self.length = length
        self.overlap = overlap
    }

    public var step: Double { length - overlap }

    /// The first start on the grid whose span [start, start + length) holds `time`: where the
    /// spans resume after a gap, so that no span is empty.
    public func start(holding time: Double) -> Double {
        max(0, ((time - length) / step).rounded(.down) * step + step)
    }
}
