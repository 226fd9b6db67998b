// Text placed in HTML, in element content and in quoted attribute values alike. File names come
// from strangers (downloaded clips): every one of them goes through here.

extension String {
    /// `&`, `<`, `>`, `"` and `'` replaced by character references; everything else kept as is
    /// (the report is UTF-8).
    package var htmlEscaped: String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for c in unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
