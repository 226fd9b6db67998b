// `vmatch watch --on-match CMD`: the user's own command, run through /bin/sh with a record on its
// standard input (a notifier, a mail command). The one place vmatch starts another program.
import CProcess
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package struct CommandHook: Sendable {
    package var command: String
    /// Seconds the command may take; then it is killed and that is its failure.
    package var timeLimit: Double

    package init(command: String, timeLimit: Double = 60) {
        self.command = command
        self.timeLimit = timeLimit
    }

    /// Runs the command with `input` on its standard input and `environment` added to vmatch's;
    /// its standard output and error are vmatch's stderr (it speaks to the person watching, never
    /// into the results). Returns nil when it exited with status 0, else why it failed. When
    /// `stop` (a descriptor) becomes readable while it runs, its process group is ended: SIGTERM,
    /// and SIGKILL for what is left `stopGrace` seconds later.
    package func run(input: String, environment: [String: String], stop: Int32? = nil, stopGrace: Double = 2) -> String? {
        // The input goes through an unnamed file: no pipe to fill while the command is not reading.
        var template = Array((FileManager.default.temporaryDirectory.path + "/vmatch-hook-XXXXXX").utf8CString)
        let file = mkstemp(&template)
        guard file >= 0 else { return "cannot make its input: \(String(cString: strerror(errno)).lowercased())" }
        unlink(template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        defer { close(file) }
        var bytes = Array(input.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { write(file, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return "cannot make its input: \(String(cString: strerror(errno)).lowercased())" }
            bytes = bytes.dropFirst(n)
        }
        lseek(file, 0, SEEK_SET)

        // The command gets ordinary signal handling, whatever vmatch has set for itself, and a
        // process group of its own, so that a time-out or a stop kills what it started too; the
        // group's guardian kills it all if vmatch is killed outright (SIGKILL) meanwhile. This
        // thread forks and waits, so it outlives the command, as the parent-death signal needs.
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let arguments = ["/bin/sh", "-c", command]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let spawned = vm_spawn_guarded("/bin/sh", &argv, &envp, file, &pid)
        guard spawned == 0 else { return "cannot start /bin/sh: \(String(cString: strerror(spawned)).lowercased())" }

        let deadline = Date().addingTimeInterval(timeLimit)
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { return "cannot wait for it: \(String(cString: strerror(errno)).lowercased())" }
            if Date() >= deadline {
                kill(-pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                return "it took longer than \(Int(timeLimit)) s and was stopped"
            }
            if let stop, StopSignals.isRaised(stop) {
                // Asked to stop: the command and whatever it started get a moment to end cleanly,
                // then the group is killed (what outlived the shell included).
                kill(-pid, SIGTERM)
                let end = Date().addingTimeInterval(stopGrace)
                while waitpid(pid, &status, WNOHANG) != pid && Date() < end { usleep(20_000) }
                kill(-pid, SIGKILL)
                if waitpid(pid, &status, WNOHANG) != pid { _ = waitpid(pid, &status, 0) }
                return "it was stopped with the watch"
            }
            usleep(20_000)
        }
        let signal = status & 0x7f
        if signal != 0 { return "it was killed by signal \(signal)" }
        let code = (status >> 8) & 0xff
        return code == 0 ? nil : "it exited with status \(code)"
    }

}

/// Runs of a `CommandHook` beside the watch, one at a time on a thread of their own and in the
/// order they were asked for, so that checking goes on while a command runs (a hanging one costs
/// its time limit on that thread, not a stalled watch). At most `capacity` runs wait: asked for
/// more, `enqueue` waits for room, so the watch is never further behind its hooks than that. Once
/// the `stop` descriptor is readable, the running command's process group is ended and the
/// waiting runs are dropped; each is named through `failed`.
package final class CommandHookQueue: @unchecked Sendable {
    package struct Run: Sendable {
        /// What the failure message names (the clip's path).
        package var label: String
        package var input: String
        package var environment: [String: String]

        package init(label: String, input: String, environment: [String: String]) {
            self.label = label
            self.input = input
            self.environment = environment
        }
    }

    private let hook: CommandHook
    private let capacity: Int
    private let stop: Int32
    private let failed: @Sendable (_ label: String, _ why: String) -> Void
    private let condition = NSCondition()
    // Under `condition`:
    private var waiting: [Run] = []
    private var running = false
    private var stopping = false
    private var finishing = false
    private var thread: Thread?

    package init(hook: CommandHook, capacity: Int = 4, stop: Int32,
                 failed: @escaping @Sendable (_ label: String, _ why: String) -> Void) {
        precondition(capacity >= 1, "CommandHookQueue needs room for at least one waiting run")
        self.hook = hook
        self.capacity = capacity
        self.stop = stop
        self.failed = failed
    }

    /// Queues a run, waiting while `capacity` runs wait. False (the run dropped and named) when
    /// the queue is stopping.
    @discardableResult
    package func enqueue(_ run: Run) -> Bool {
        condition.lock()
        if thread == nil {
            let thread = Thread { [self] in work() }
            thread.name = "vmatch --on-match"
            self.thread = thread
            thread.start()
        }
        while waiting.count >= capacity && !stopping { condition.wait() }
        if stopping || StopSignals.isRaised(stop) {
            condition.unlock()
            failed(run.label, "it was not run: the watch stopped first")
            return false
        }
        waiting.append(run)
        condition.broadcast()
        condition.unlock()
        return true
    }

    /// Waits until every queued run is done, each within its time limit, unless `stop` is
    /// readable: then the running one is ended (its process group, within `stopGrace` seconds
    /// and a little) and those waiting are dropped.
    package func finish() {
        condition.lock()
        finishing = true
        if StopSignals.isRaised(stop) { dropWaiting() }
        condition.broadcast()
        while running || !waiting.isEmpty { condition.wait() }
        condition.unlock()
    }

    /// Under `condition`.
    private func dropWaiting() {
        stopping = true
        let dropped = waiting
        waiting = []
        for run in dropped { failed(run.label, "it was not run: the watch stopped first") }
    }

    private func work() {
        while true {
            condition.lock()
            while waiting.isEmpty && !finishing { condition.wait() }
            guard !waiting.isEmpty else {
                condition.unlock()
                return
            }
            let run = waiting.removeFirst()
            if StopSignals.isRaised(stop) {
                failed(run.label, "it was not run: the watch stopped first")
                dropWaiting()
                condition.broadcast()
                condition.unlock()
                continue
            }
            running = true
            condition.broadcast()
            condition.unlock()

            let failure = hook.run(input: run.input, environment: run.environment, stop: stop)
            if let failure { failed(run.label, failure) }

            condition.lock()
            running = false
            if StopSignals.isRaised(stop) { dropWaiting() }
            condition.broadcast()
            condition.unlock()
        }
    }
}
