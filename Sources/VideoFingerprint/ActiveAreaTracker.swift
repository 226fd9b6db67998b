// ActiveAreaTracker: steadies per-frame active-area detections along a shot.
// Input shape: one detected PixelRect per sampled frame of one video, in presentation order.
//
// Why: a detector run on single frames flickers where content briefly resembles a bar (a dark
// scene edge, a fade), and a flickering crop makes consecutive hashes of one shot disagree. The
// tracker keeps its current area until a different one has been seen on `confirmations`
// consecutive frames, all agreeing with each other (intersection over union ≥ `sameArea`).
// It is stateful, so reference and suspect sides only agree where both are inside steady shots;
// the first frame is adopted at once so short clips are not left uncropped.

public struct ActiveAreaTracker: Sendable {
    public var confirmations: Int
    public var sameArea: Double
    public private(set) var current: PixelRect?
    private var candidate: PixelRect?
    private var candidateCount = 0

    public init(confirmations: Int = 3, sameArea: Double = 0.9) {
        precondition(confirmations >= 1, "ActiveAreaTracker needs confirmations ≥ 1")
        self.confirmations = confirmations
        self.sameArea = sameArea
    }

    /// Feeds one frame's detection; returns the area to use for that frame.
    public mutating func update(_ detected: PixelRect) -> PixelRect {
        guard let area = current else {
            current = detected
            return detected
        }
        if detected.overlap(with: area) >= sameArea {
            candidate = nil
            candidateCount = 0
            return area
        }
        if let c = candidate, detected.overlap(with: c) >= sameArea {
            candidateCount += 1
        } else {
            candidate = detected
            candidateCount = 1
        }
        if candidateCount >= confirmations {
            current = candidate
            candidate = nil
            candidateCount = 0
        }
        return current ?? detected
    }

    /// Forget the history (e.g. at a scene cut or a new file).
    public mutating func reset() {
        current = nil
        candidate = nil
        candidateCount = 0
    }
}
