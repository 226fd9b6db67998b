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
    /// The media the file has (a window waits for each).
    private let expected: Set<Medium>
    private let matcher: Matcher
    private let candidates: CandidateIndex
    private let references: References
    /// What is held of the suspect: from the current window's start on.
    private var held = MediaFingerprint()
    /// How far each medium's values have come (the latest plausible time seen).
    private var progress: [Medium: Double] = [:]
    private var start = 0.0
    /// End of the last window matched.
    private var matchedThrough = 0.0
    private var found: [String: ReferenceMatch] = [:]
    /// Windows matched so far.
    package private(set) var windows = 0

    /// `expected`: the media the file has at all (a window waits for the values of each). Each
    /// window is matched by `matcher` against the library in two tiers, `candidates` then
    /// `references`.
    package init(configuration: Configuration = Configuration(), expected: Set<Medium>,
                matcher: Matcher, candidates: CandidateIndex, references: References) {
        self.configuration = configuration
        self.expected = expected
        self.matcher = matcher
        self.candidates = candidates
        self.references = references
    }

    private var grid: TimeGrid { configuration.grid }

    /// A piece of the suspect's fingerprint, each channel's values in time order (as decoded).
    package mutating func add(_ piece: MediaFingerprint) throws {
        let start = self.start
        held.append(piece.filtered { MediaFingerprint.isPlausible($0) && Double($0) >= start })
        for channel in MediaFingerprint.channels { advance(channel, piece) }
        try matchReadyWindows()
    }

    private mutating func advance<C: FingerprintChannel>(_ channel: C.Type, _ piece: MediaFingerprint) {
        if let last = piece.lastPlausibleTime(of: channel) { progress[C.medium] = max(progress[C.medium] ?? -.infinity, Double(last)) }
    }

    /// Matches what is left; returns every reference found, best first (as `Matcher.match`).
    package mutating func finish() throws -> [ReferenceMatch] {
        // What is left lies in the last window's overlap unless it reaches past that window.
        while windows == 0 ? !held.isEmpty : holdsAnything(from: matchedThrough) {
            try matchWindow()
        }
        return ReferenceMatch.ranked(found.values)
    }

    private func holdsAnything(from time: Double) -> Bool {
        held.contains { Double($0) >= time }
    }

    private mutating func matchReadyWindows() throws {
        // Nothing held, nothing to match: the next item's window is found when it comes.
        while !held.isEmpty {
            let end = start + grid.length
            let ahead = progress.values.max() ?? -.infinity
            let waited = expected.allSatisfy { (progress[$0] ?? -.infinity) >= end }
            guard waited || ahead >= end + configuration.skew else { return }
            try matchWindow()
        }
    }

    private mutating func matchWindow() throws {
        // No window is matched empty: skip to the one holding the earliest item.
        if let earliest = held.earliestTime.map(Double.init), earliest >= start + grid.length {
            start = grid.start(holding: earliest)
        }
        let end = start + grid.length
        let fingerprint = held.filtered { Double($0) < end }
        if !fingerprint.isEmpty {
            for m in try matcher.match(fingerprint, candidates: candidates, references: references) { add(m) }
            windows += 1
            matchedThrough = end
        }
        start += grid.step
        let start = self.start
        held.removeAll { Double($0) < start }
    }

    private mutating func add(_ m: ReferenceMatch) {
        found[m.reference.path] = found[m.reference.path].map { $0.joined(with: m) } ?? m
    }
}
