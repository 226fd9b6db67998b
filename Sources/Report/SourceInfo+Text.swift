// A clip's source for people: the fields a takedown form asks for, dates made readable.
import Findings

extension SourceInfo {
    /// The fields for people, in the order a takedown form asks for them.
    package var lines: [(label: String, value: String)] {
        [("URL", webpageURL), ("uploader", uploader.map { u in uploaderURL.map { "\(u) (\($0))" } ?? u } ?? uploaderURL),
         ("uploaded", uploadDate.map(Self.readableDate)), ("title", title),
         ("site", extractor.map { e in id.map { "\(e), id \($0)" } ?? e })]
            .compactMap { label, value in value.map { (label, $0) } }
    }

    /// `20260314` → `2026-03-14`; anything else as it is.
    static func readableDate(_ date: String) -> String {
        guard date.count == 8, date.allSatisfy(\.isNumber) else { return date }
        let d = Array(date)
        return String(d[0 ..< 4]) + "-" + String(d[4 ..< 6]) + "-" + String(d[6 ..< 8])
    }
}
