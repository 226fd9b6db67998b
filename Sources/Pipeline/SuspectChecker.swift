// `vmatch compare`: loads the library's fingerprints into memory once, then fingerprints each
// suspect (several at once) and matches it. Results are handed out as each suspect finishes.
import Findings
import Fingerprint
import Foundation
import Matching

package struct SuspectResult: Sendable {
    package var path: String
    package var duration: Double?
    package var matches: [ReferenceMatch]
    /// One line naming the file and the reason, when it could not be read.
    package var error: String?
    /// Seconds spent fingerprinting and matching.
    package var elapsed: Double
    /// SHA-256 of the whole clip (nil when it could not be read).
    package var sha256: String? = nil
    /// Where it came from (its `.info.json`), and why that could not be read.
    package var source: SourceInfo? = nil
    package var sourceWarning: String? = nil
    /// Each matched reference as indexed, and whether the file is still that file.
    package var references: [String: ReferenceCheck] = [:]
    package var checkedAt = Date()
    /// The clip file's modification time.
    package var fileModified: Date? = nil
    /// Set when the clip changed while it was checked and was checked again (what changed).
    package var changedDuringCheck: String? = nil
    /// How the clip looked (size, modification time) through the check that made this result;
    /// nil when it could not be looked at.
    package var checkedLook: WatchLog.Look? = nil

    /// The report of this result; `suspect` is the clip's path as shown.
    package func report(suspect: String, vmatchVersion: String) -> SuspectReport {
        SuspectReport(suspect: suspect, duration: duration, matches: matches, error: error, sha256: sha256, source: source,
                      checkedAt: checkedAt, fileModified: fileModified, vmatchVersion: vmatchVersion, references: references,
                      changedDuringCheck: changedDuringCheck)
    }
}

package struct SuspectChecker {
    package var jobs: Int
    package var options: FingerprintOptions
    package var matcher: Matcher
    /// How a long suspect is cut into windows.
    package var windowing: SuspectWindows<LoadedReferences>.Configuration
    /// Checks that matched references are still the files indexed (shared: each is read once).
    package var verifier: ReferenceVerifier
    /// Called between a clip's fingerprint and its digest, with the clip's path and the attempt
    /// (0 first): where a file replaced under a running check makes a mixed record. For tests.
    package var afterFingerprint: (@Sendable (_ path: String, _ attempt: Int) -> Void)? = nil
    /// How many times a clip that changed while it was checked is checked again.
    static let checksAfterAChange = 2

    package init(jobs: Int = ProcessInfo.processInfo.activeProcessorCount,
                options: FingerprintOptions = FingerprintOptions(role: .suspect), matcher: Matcher = Matcher(),
                windowing: SuspectWindows<LoadedReferences>.Configuration = .init(), verifier: ReferenceVerifier = ReferenceVerifier()) {
        self.verifier = verifier
        self.jobs = max(1, jobs)
        self.options = options
        self.matcher = matcher
        self.windowing = windowing
    }

    /// Checks every file; `report` is called serially for each result, in the order of `files`
    /// (a result waits only for those before it), until it returns false: then no further file
    /// is started, and the results of those under way are dropped.
    package func run(files: [String], against library: LoadedReferences,
                    report: @escaping (SuspectResult) -> Bool) {
        let matcher = self.matcher
        let windowing = self.windowing
        let verifier = self.verifier
        let afterFingerprint = self.afterFingerprint
        // Results wait here until those before them are out; `report` is called under the lock.
        let order = Locked((finished: [Int: SuspectResult](), emitted: 0, stopped: false))
        FingerprintWorkers.run(count: files.count, jobs: jobs, options: Self.options(options, against: library.index)) { i, fingerprinter in
            let result = Self.checkUnchanged(files[i], with: fingerprinter, against: library, matcher: matcher, windowing: windowing,
                                             verifier: verifier, afterFingerprint: afterFingerprint)
            return order.withLock { order in
                guard !order.stopped else { return false }
                order.finished[i] = result
                while let next = order.finished.removeValue(forKey: order.emitted) {
                    order.emitted += 1
                    if !report(next) {
                        order.stopped = true
                        return false
                    }
                }
                return true
            }
        }
    }

    /// What a suspect's fingerprint needs against `index`: no keypoints when the library holds
    /// none (indexed with them off, or before they were on by default, and not yet indexed
    /// again) — they could match nothing, and they are most of what a suspect's picture costs.
    static func options(_ options: FingerprintOptions, against index: CandidateIndex) -> FingerprintOptions {
        var options = options
        if index.keypointCount == 0 { options.keypoints = false }
        return options
    }

    /// One suspect, its record made of one state of the file: its identity (FileIdentity) is taken
    /// before it is opened and again after its digest is made. A clip replaced, written to or
    /// removed in between (a download fetched again under the same name) would otherwise get the
    /// new file's digest and time beside the old file's matches; it is checked again, up to
    /// `checksAfterAChange` times, and the record says so. One that is gone, or still changing,
    /// gets an error naming it instead of a record of mixed data.
    static func checkUnchanged(_ path: String, with fingerprinter: FileFingerprinter, against library: LoadedReferences,
                               matcher: Matcher, windowing: SuspectWindows<LoadedReferences>.Configuration, verifier: ReferenceVerifier,
                               afterFingerprint: (@Sendable (String, Int) -> Void)?) -> SuspectResult {
        let start = Date()
        func failure(_ reason: String) -> SuspectResult {
            SuspectResult(path: path, duration: nil, matches: [], error: "cannot check '\(path)': \(reason)",
                          elapsed: Date().timeIntervalSince(start))
        }
        var change: String?
        for attempt in 0 ... checksAfterAChange {
            let before: FileIdentity
            do { before = try FileIdentity(path: path) } catch {
                // Gone before it could be looked at: said as the decoder would say it.
                if change == nil { break }
                return failure("it was removed while it was checked")
            }
            var result = check(path, with: fingerprinter, against: library, matcher: matcher, windowing: windowing)
            afterFingerprint?(path, attempt)
            addProvenance(to: &result, library: library, verifier: verifier)
            guard let after = try? FileIdentity(path: path) else { return failure("it was removed while it was checked") }
            if after == before {
                result.changedDuringCheck = change
                result.checkedLook = WatchLog.Look(size: before.size, modified: before.modifiedSeconds)
                if result.error == nil { result.fileModified = Date(timeIntervalSince1970: before.modifiedSeconds) }
                result.elapsed = Date().timeIntervalSince(start)
                return result
            }
            change = before.change(to: after)
        }
        guard let change else {
            // Not there when the check began: the plain check names the file and the reason.
            var result = check(path, with: fingerprinter, against: library, matcher: matcher, windowing: windowing)
            addProvenance(to: &result, library: library, verifier: verifier)
            return result
        }
        return failure("it kept changing while it was checked (\(change)); it is checked when it stays unchanged")
    }

    /// The clip's digest and source, and the identity of each reference it matched, checked now.
    static func addProvenance(to result: inout SuspectResult, library: LoadedReferences, verifier: ReferenceVerifier) {
        result.checkedAt = Date()
        guard result.error == nil else { return }
        result.sha256 = try? SHA256.hex(ofFileAt: result.path)
        result.fileModified = (try? FileManager.default.attributesOfItem(atPath: result.path))?[.modificationDate] as? Date
        (result.source, result.sourceWarning) = SourceSidecar.read(for: result.path)
        for m in result.matches {
            if let identity = library.indexed[m.reference.path] {
                result.references[m.reference.path] = verifier.check(m.reference.path, indexed: identity)
            }
        }
    }

    /// One suspect, matched a window at a time as it is decoded (see SuspectWindows).
    static func check(_ path: String, with fingerprinter: FileFingerprinter, against library: LoadedReferences,
                      matcher: Matcher, windowing: SuspectWindows<LoadedReferences>.Configuration) -> SuspectResult {
        let start = Date()
        do {
            var windows: SuspectWindows<LoadedReferences>?
            let made = try fingerprinter.fingerprint(path: path, opened: { info in
                windows = SuspectWindows(configuration: windowing, expected: info.media,
                                         matcher: matcher, candidates: library.index, references: library)
            }, deliver: { try windows?.add($0) })
            let matches = try windows?.finish() ?? []
            return SuspectResult(path: path, duration: made.duration, matches: matches, error: nil,
                                 elapsed: Date().timeIntervalSince(start))
        } catch {
            return SuspectResult(path: path, duration: nil, matches: [], error: "\(error)", elapsed: Date().timeIntervalSince(start))
        }
    }
}
