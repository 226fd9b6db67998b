// Several files fingerprinted at once, as `index` and `compare` both need: up to `jobs` workers,
// each owning its FileFingerprinter (its scratch space is not shared), pulling file numbers from
// one queue. With more than one worker each decoder gets one thread unless told otherwise: two
// single-threaded decoders on two files beat one file with two threads on two cores.
import Foundation

enum FingerprintWorkers {
    /// Calls `body(i, fingerprinter)` once for every i in 0..<count, from up to `jobs` threads,
    /// until a call returns false (then no further i is started); returns when all started calls
    /// are done. `body` synchronizes whatever state it shares.
    static func run(count: Int, jobs: Int, options: FingerprintOptions,
                    _ body: (Int, FileFingerprinter) -> Bool) {
        let workers = min(max(1, jobs), max(1, count))
        var options = options
        if workers > 1 && options.threads == 0 { options.threads = 1 }
        let workerOptions = options
        let queue = WorkQueue(count: count)
        // Each call of `body` is made by one worker; `body`'s own locking covers what it shares.
        nonisolated(unsafe) let body = body
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let fingerprinter = FileFingerprinter(options: workerOptions)
            while let i = queue.next() {
                if !body(i, fingerprinter) { queue.stop() }
            }
        }
    }
}

/// Hands out indices 0..<count to concurrent workers.
final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var cursor = 0
    private let count: Int

    init(count: Int) { self.count = count }

    /// Hands out nothing more.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        cursor = count
    }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard cursor < count else { return nil }
        cursor += 1
        return cursor - 1
    }
}
