// How `vmatch watch` is asked to stop: SIGINT, SIGTERM and SIGHUP become a byte on a pipe (the
// self-pipe: a handler may only write), so the watch stops between clips, never in the middle of
// writing a record. The read end is the `stop` descriptor `FolderWatch.next` and
// `CommandHookQueue` wait on; it stays readable once a signal came (the byte is never read).
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The write end, for the handler (which can capture nothing).
nonisolated(unsafe) private var stopPipeWriteEnd: Int32 = -1

package enum StopSignals {
    /// Makes the pipe and routes SIGINT, SIGTERM and SIGHUP to it (SIGHUP not when it is ignored,
    /// as under `nohup`); returns its read end. Once per process: the pipe lives as long as it.
    package static func install() throws -> Int32 {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw WatchError(description: "cannot watch: pipe: \(String(cString: strerror(errno)).lowercased())")
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }
        stopPipeWriteEnd = ends[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(stopPipeWriteEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        // A hang-up (the terminal, tmux pane or ssh session closed) ends a watch as SIGTERM
        // does, cleanly, rather than killing it mid-record; but one started under `nohup`
        // (SIGHUP ignored on entry) was asked to outlive it, so an ignored SIGHUP stays ignored.
        var hangUp = sigaction()
        sigaction(SIGHUP, nil, &hangUp)
        let hangUpIgnored = unsafeBitCast(hangUp.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
        let signals = [SIGINT, SIGTERM] + (hangUpIgnored ? [] : [SIGHUP])
        // A parent may have started vmatch with these blocked (the mask is inherited): a watch
        // must stop when asked, whoever started it.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        for signal in signals {
            sigaction(signal, &action, nil)
            sigaddset(&stopSignals, signal)
        }
        pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
        return ends[0]
    }

    /// True when `stop` has something to read (a stop was asked for), without waiting.
    package static func isRaised(_ stop: Int32) -> Bool {
        var p = pollfd(fd: stop, events: Int16(POLLIN), revents: 0)
        return poll(&p, 1, 0) > 0
    }
}
