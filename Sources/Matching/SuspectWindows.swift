// A suspect matched as it is decoded, a window at a time, so that a 2-hour download costs what a
// 10-minute one does: the fingerprint of one window (`length` seconds) is held, matched and
// dropped; windows overlap by `overlap` seconds, so any reused stretch up to that long lies
// whole inside one window and a longer one has a part at least that long in one. The windows'
// segments are joined where they continue each other (same reference, same alignment,
// overlapping or touching). A suspect no longer than one window is one window: matched exactly
// as `Matcher.match` matches it whole.
import AudioFingerprint

public struct SuspectWindows {
    public struct Configuration: Sendable {
        public var length: Double = 600
        public var overlap: Double = 120
        /// A stream this far ahead of the other no longer waits for it (a track that ended
        /// early, a file muxed with one stream far behind the other).
        public var skew: Double = 300
        public init() {}
    }

    public let configuration: Configuration
    private let expectsFrames: Bool, expectsLandmarks: Bool
    private let match: (MediaFingerprint) throws -> [ReferenceMatch]
    private var frames: [FrameSignature] = []
    private var landmarks: [AudioLandmark] = []
    private var frameProgress = -Double.infinity, landmarkProgress = -Double.infinity
    private var start = 0.0
    /// End of the last window matched.
    private var matchedThrough = 0.0
    private var found: [String: ReferenceMatch] = [:]
    /// Windows matched so far.
    public private(set) var windows = 0

    /// `expectsFrames`/`expectsLandmarks`: whether the file has the stream at all (a window waits
    /// for the streams it expects). `match` matches one window's fingerprint.
    public init(configuration: Configuration = Configuration(), expectsFrames: Bool, expectsLandmarks: Bool,
                match: @escaping (MediaFingerprint) throws -> [ReferenceMatch]) {
        precondition(configuration.overlap >= 0 && configuration.overlap < configuration.length)
        self.configuration = configuration
        self.expectsFrames = expectsFrames
        self.expectsLandmarks = expectsLandmarks
        self.match = match
    }

    private var step: Double { configuration.length - configuration.overlap }

    /// Frames in time order (as decoded).
    public mutating func add(frames batch: [FrameSignature]) throws {
        for f in batch where Self.usable(f.time) && Double(f.time) >= start { frames.append(f) }
        if let last = batch.last(where: { Self.usable($0.time) }) { frameProgress = max(frameProgress, Double(last.time)) }
        try matchReadyWindows()
    }

    /// Landmarks in time order (as released).
    public mutating func add(landmarks batch: [AudioLandmark]) throws {
        for l in batch where Self.usable(l.time) && Double(l.time) >= start { landmarks.append(l) }
        if let last = batch.last(where: { Self.usable($0.time) }) { landmarkProgress = max(landmarkProgress, Double(last.time)) }
        try matchReadyWindows()
    }

    /// Matches what is left; returns every reference found, best first (as `Matcher.match`).
    public mutating func finish() throws -> [ReferenceMatch] {
        // What is left lies in the last window's overlap unless it reaches past that window.
        while windows == 0 ? !(frames.isEmpty && landmarks.isEmpty)
                : frames.contains(where: { Double($0.time) >= matchedThrough }) || landmarks.contains(where: { Double($0.time) >= matchedThrough }) {
            try matchWindow()
        }
        return ReferenceMatch.ranked(found.values)
    }

    private mutating func matchReadyWindows() throws {
        // Nothing held, nothing to match: the next item's window is found when it comes.
        while !(frames.isEmpty && landmarks.isEmpty) {
            let end = start + configuration.length
            let ahead = max(frameProgress, landmarkProgress)
            let waited = (!expectsFrames || frameProgress >= end) && (!expectsLandmarks || landmarkProgress >= end)
            guard waited || ahead >= end + configuration.skew else { return }
            try matchWindow()
        }
    }

    /// The first start on the grid 0, step, 2·step, … whose span [start, start + length) holds
    /// `time`: where windows (or a reference's pieces) resume after a gap.
    public static func gridStart(holding time: Double, length: Double, step: Double) -> Double {
        max(0, ((time - length) / step).rounded(.down) * step + step)
    }

    /// Times outside any real file (a damaged stream) are dropped.
    static func usable(_ t: Float) -> Bool { t.isFinite && t >= 0 && t < 1e7 }

    private mutating func matchWindow() throws {
        // No window is matched empty: skip to the one holding the earliest item.
        let earliest = Double(min(frames.lazy.map(\.time).min() ?? .infinity, landmarks.lazy.map(\.time).min() ?? .infinity))
        if earliest.isFinite && earliest >= start + configuration.length {
            start = Self.gridStart(holding: earliest, length: configuration.length, step: step)
        }
        let end = start + configuration.length
        let fingerprint = MediaFingerprint(duration: nil, frames: frames.filter { Double($0.time) < end },
                                           landmarks: landmarks.filter { Double($0.time) < end })
        if !fingerprint.frames.isEmpty || !fingerprint.landmarks.isEmpty {
            for m in try match(fingerprint) { add(m) }
            windows += 1
            matchedThrough = end
        }
        start += step
        frames.removeAll { Double($0.time) < start }
        landmarks.removeAll { Double($0.time) < start }
    }

    private mutating func add(_ m: ReferenceMatch) {
        found[m.reference.path] = found[m.reference.path].map { $0.joined(with: m) } ?? m
    }

    /// Segments that continue each other — overlapping or within `gap` seconds of the suspect,
    /// and mapping the suspect to the reference within `tolerance` seconds where they meet — as one
    /// (the union; picture and sound together become both); the others as they are.
    static func join(_ segments: [MatchSegment], gap: Double = 1, tolerance: Double = 1.5) -> [MatchSegment] {
        var result: [MatchSegment] = []
        for s in segments.sorted(by: { $0.suspectStart < $1.suspectStart }) {
            if let i = result.lastIndex(where: { continues($0, s, gap: gap, tolerance: tolerance) }) {
                result[i] = union(result[i], s)
            } else {
                result.append(s)
            }
        }
        return result
    }

    static func continues(_ a: MatchSegment, _ b: MatchSegment, gap: Double, tolerance: Double) -> Bool {
        guard b.suspectStart <= a.suspectEnd + gap, a.suspectStart <= b.suspectEnd + gap else { return false }
        let meet = min(max(b.suspectStart, a.suspectStart), min(a.suspectEnd, b.suspectEnd))
        return abs(referenceTime(a, at: meet) - referenceTime(b, at: meet)) < tolerance
    }

    static func referenceTime(_ s: MatchSegment, at t: Double) -> Double {
        s.referenceStart + s.speed * (t - s.suspectStart)
    }

    static func union(_ a: MatchSegment, _ b: MatchSegment) -> MatchSegment {
        let first = a.suspectStart <= b.suspectStart ? a : b
        let last = a.suspectEnd >= b.suspectEnd ? a : b
        let start = first.suspectStart, end = last.suspectEnd
        let referenceStart = first.referenceStart, referenceEnd = last.referenceEnd
        let speed = end > start ? (referenceEnd - referenceStart) / (end - start) : first.speed
        return MatchSegment(modality: a.modality == b.modality ? a.modality : .both,
                            suspectStart: start, suspectEnd: end, referenceStart: referenceStart, referenceEnd: referenceEnd,
                            score: max(a.score, b.score), speed: speed.isFinite && speed > 0 ? speed : first.speed)
    }
}

extension ReferenceMatch {
    /// This match and another of the same reference (found in another window of the suspect or
    /// another piece of the reference) as one: segments that continue each other joined
    /// (`SuspectWindows.join`), score the best segment's, modality from the segments.
    public func joined(with other: ReferenceMatch) -> ReferenceMatch {
        var result = self
        result.segments = SuspectWindows.join(segments + other.segments)
        result.score = result.segments.map(\.score).max() ?? max(score, other.score)
        result.modality = Modality(of: result.segments)
        return result
    }
}
