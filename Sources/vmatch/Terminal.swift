import Foundation

/// stderr for people: errors, warnings and progress (progress only on a terminal).
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) != 0
    static let useColor = isInteractive && ProcessInfo.processInfo.environment["NO_COLOR"] == nil

    static func error(_ message: String) {
        let prefix = useColor ? "\u{1B}[31merror:\u{1B}[0m " : "error: "
        FileHandle.standardError.write(Data((prefix + message + "\n").utf8))
    }

    static func note(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

extension Terminal {
    static func clock(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
