// A suspect matched as it is decoded, a window at a time, so that a 2-hour download costs what a
// 10-minute one does: the fingerprint of one window (`length` seconds) is held, matched and
// dropped; windows overlap by `overlap` seconds, so any reused stretch up to that long lies
// whole inside one window and a longer one has a part at least that long in one. The windows'
// segments are joined where they continue each other (`MatchSegment.joined`). A suspect no
// longer than one window is one window: matched exactly as `Matcher.match` matches it whole.
// The windows lie on a `TimeGrid`, as a long reference's pieces do.
import Fingerprint

package struct SuspectWindows<References: ReferenceSource> {
    package struct Configuration: Sendable {
        package var grid = TimeGrid(length: 600, overlap: 120)
        /// A stream this far ahead of the other no longer waits for it (a track that ended
        /// early, a file muxed with one stream far behind the other).
        package var skew: Double = 300
        package init() {}
    }

    package let configuration: Configuration
    private let expectsFrames: Bool, expectsLandmarks: Bool
    private let matcher: Matcher
    private let candidates: CandidateIndex
    private let references: References
    private var frames: [FrameSignature] = []
    private var landmarks: [AudioLandmark] = []
    private var frameProgress = -Double.infinity, landmarkProgress = -Double.infinity
    private var start = 0.0
    /// End of the last window matched.
    private var matchedThrough = 0.0
    private var found: [String: ReferenceMatch] = [:]
    /// Windows matched so far.
    package private(set) var windows = 0

    /// `expectsFrames`/`expectsLandmarks`: whether the file has the stream at all (a window waits
    /// for the streams it expects). Each window is matched by `matcher` against the library in
    /// two tiers, `candidates` then `references`.
    package init(configuration: Configuration = Configuration(), expectsFrames: Bool, expectsLandmarks: Bool,
                matcher: Matcher, candidates: CandidateIndex, references: References) {
        self.configuration = configuration
        self.expectsFrames = expectsFrames
        self.expectsLandmarks = expectsLandmarks
        self.matcher = matcher
        self.candidates = candidates
        self.references = references
    }

    private var grid: TimeGrid { configuration.grid }

    /// Frames in time order (as decoded).
    package mutating func add(frames batch: [FrameSignature]) throws {
        for f in batch where MediaFingerprint.isPlausible(f.time) && Double(f.time) >= start { frames.append(f) }
        if let last = batch.last(where: { MediaFingerprint.isPlausible($0.time) }) { frameProgress = max(frameProgress, Double(last.time)) }
        try matchReadyWindows()
    }

    /// Landmarks in time order (as released).
    package mutating func add(landmarks batch: [AudioLandmark]) throws {
        for l in batch where MediaFingerprint.isPlausible(l.time) && Double(l.time) >= start { landmarks.append(l) }
        if let last = batch.last(where: { MediaFingerprint.isPlausible($0.time) }) { landmarkProgress = max(landmarkProgress, Double(last.time)) }
        try matchReadyWindows()
    }

    /// Matches what is left; returns every reference found, best first (as `Matcher.match`).
    package mutating func finish() throws -> [ReferenceMatch] {
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
            let end = start + grid.length
            let ahead = max(frameProgress, landmarkProgress)
            let waited = (!expectsFrames || frameProgress >= end) && (!expectsLandmarks || landmarkProgress >= end)
            guard waited || ahead >= end + configuration.skew else { return }
            try matchWindow()
        }
    }

    private mutating func matchWindow() throws {
        // No window is matched empty: skip to the one holding the earliest item.
        let earliest = Double(min(frames.lazy.map(\.time).min() ?? .infinity, landmarks.lazy.map(\.time).min() ?? .infinity))
        if earliest.isFinite && earliest >= start + grid.length {
            start = grid.start(holding: earliest)
        }
        let end = start + grid.length
        let fingerprint = MediaFingerprint(duration: nil, frames: frames.filter { Double($0.time) < end },
                                           landmarks: landmarks.filter { Double($0.time) < end })
        if !fingerprint.frames.isEmpty || !fingerprint.landmarks.isEmpty {
            for m in try matcher.match(fingerprint, candidates: candidates, references: references) { add(m) }
            windows += 1
            matchedThrough = end
        }
        start += grid.step
        frames.removeAll { Double($0.time) < start }
        landmarks.removeAll { Double($0.time) < start }
    }

    private mutating func add(_ m: ReferenceMatch) {
        found[m.reference.path] = found[m.reference.path].map { $0.joined(with: m) } ?? m
    }
}
