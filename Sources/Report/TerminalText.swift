// Text for a terminal never carries control characters from outside: a file named with ESC,
// BEL or a newline would otherwise recolour or retitle the terminal, or forge a report line.
// Every C0 and C1 control character and DEL in such a string is shown as a visible escape
// (`\x1b`, `\n`, `\u{9b}`); everything else is kept as it is. JSON escapes them by itself.

extension String {
    package var terminalSafe: String {
        guard unicodeScalars.contains(where: Self.isControl) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            guard Self.isControl(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let hex = String(scalar.value, radix: 16)
                out += scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
            }
        }
        return out
    }

    /// `terminalSafe` for each line of a block of lines (its own line breaks kept).
    package var terminalSafeLines: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).terminalSafe }.joined(separator: "\n")
    }

    private static func isControl(_ s: Unicode.Scalar) -> Bool {
        s.value < 0x20 || (0x7F...0x9F).contains(s.value)
    }
}
