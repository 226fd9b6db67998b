import Foundation
@testable import Pipeline
import Testing

/// Each test installs the handlers process-wide and puts back what was there before; `raise`
/// runs the handler on this thread before it returns, so the pipe is readable (or not) at once.
@Suite(.serialized) struct StopSignalsTests {
    private static let signals = [SIGINT, SIGTERM, SIGHUP]

    /// Runs `body` with the stop pipe installed over a SIGHUP handled by `hangUp` (SIG_DFL, or
    /// SIG_IGN as under `nohup`), then restores every stop signal's action and closes the pipe.
    private func withStopPipe(hangUp: __sighandler_t?, _ body: (Int32) throws -> Void) throws {
        var saved = Array(repeating: sigaction(), count: Self.signals.count)
        for (i, signal) in Self.signals.enumerated() { sigaction(signal, nil, &saved[i]) }
        defer { for (i, signal) in Self.signals.enumerated() { sigaction(signal, &saved[i], nil) } }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = hangUp
        sigaction(SIGHUP, &action, nil)
        let stop = try StopSignals.install()
        defer { close(stop) }
        try body(stop)
    }

    /// Reads what is in the pipe, so that the next signal is seen on its own.
    private func drain(_ stop: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ read(stop, $0.baseAddress, $0.count) }) > 0 {}
    }

    @Test func eachStopSignalMakesThePipeReadable() throws {
        try withStopPipe(hangUp: SIG_DFL) { stop in
            #expect(!StopSignals.isRaised(stop))
            for signal in Self.signals {
                raise(signal)
                #expect(StopSignals.isRaised(stop), "signal \(signal)")
                drain(stop)
                #expect(!StopSignals.isRaised(stop))
            }
        }
    }

    /// Under `nohup` (SIGHUP ignored on entry) a hang-up stays ignored; SIGTERM still stops.
    @Test func anIgnoredHangUpStaysIgnored() throws {
        try withStopPipe(hangUp: SIG_IGN) { stop in
            var hangUp = sigaction()
            sigaction(SIGHUP, nil, &hangUp)
            #expect(unsafeBitCast(hangUp.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self))
            raise(SIGHUP)
            #expect(!StopSignals.isRaised(stop))
            raise(SIGTERM)
            #expect(StopSignals.isRaised(stop))
        }
    }
}
