import Foundation
@testable import Findings
import Testing

@Suite struct SourceInfoTests {
    /// A field up to the limit is kept whole; one character more and it ends in "…" at the
    /// limit. Characters are counted as people see them: a flag (two scalars) is never split.
    @Test func eachFieldIsKeptToTheLimitWithAnEllipsis() {
        let limit = SourceInfo.fieldLimit
        let fits = String(repeating: "t", count: limit)
        #expect(SourceInfo(title: fits, sidecar: "a.info.json").title == fits)
        let over = SourceInfo(webpageURL: fits + "u", uploader: String(repeating: "🇫🇷", count: limit + 1), sidecar: "a.info.json")
        #expect(over.webpageURL == String(repeating: "t", count: limit - 1) + "…")
        #expect(over.uploader == String(repeating: "🇫🇷", count: limit - 1) + "…")
        #expect(over.sidecar == "a.info.json")
    }

    /// A record read back, written by a version that kept fields whole, is kept to the limit too.
    @Test func aRecordReadBackIsKeptToTheLimit() throws {
        let json = #"{"title": "\#(String(repeating: "t", count: 5000))", "id": "x1Y2", "sidecar": "a.info.json"}"#
        let source = try JSONDecoder().decode(SourceInfo.self, from: Data(json.utf8))
        #expect(source.title == String(repeating: "t", count: SourceInfo.fieldLimit - 1) + "…")
        #expect(source == SourceInfo(title: String(repeating: "t", count: 5000), id: "x1Y2", sidecar: "a.info.json"))
    }
}
