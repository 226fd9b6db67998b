// `vmatch watch --on-match CMD`: the user's own command, run through /bin/sh with a record on its
// standard input (a notifier, a mail command). The one place vmatch starts another program.
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
    /// into the results). Returns nil when it exited with status 0, else why it failed.
    package func run(input: String, environment: [String: String]) -> String? {
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

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, file, STDIN_FILENO)
        posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The command gets ordinary signal handling, whatever vmatch has set for itself, and a
        // process group of its own, so that a time-out kills what it started too.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

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
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &argv, &envp)
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
            usleep(20_000)
        }
        let signal = status & 0x7f
        if signal != 0 { return "it was killed by signal \(signal)" }
        let code = (status >> 8) & 0xff
        return code == 0 ? nil : "it exited with status \(code)"
    }
}
