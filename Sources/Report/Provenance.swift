// What the reports say about where the files came from and whether they are still what was
// checked: the clip's source (from a yt-dlp `.info.json` beside it) and, for each reference, its
// identity as indexed and whether the file on disk still has it.
import Foundation

/// Where a clip came from, as the downloader recorded it (yt-dlp's `.info.json` fields). Each
/// field is kept to `fieldLimit` characters: a sidecar is written by whoever served the clip,
/// and a title of megabytes would fill every record and report that shows it.
package struct SourceInfo: Sendable, Codable, Equatable {
    /// The most characters of a field kept, its ellipsis included: more than any site's title,
    /// channel name or page address.
    package static let fieldLimit = 1000

    package var webpageURL: String?
    package var uploader: String?
    package var uploaderURL: String?
    /// yt-dlp's `YYYYMMDD`.
    package var uploadDate: String?
    package var title: String?
    package var extractor: String?
    package var id: String?
    /// The sidecar file read.
    package var sidecar: String

    package init(webpageURL: String? = nil, uploader: String? = nil, uploaderURL: String? = nil, uploadDate: String? = nil,
                 title: String? = nil, extractor: String? = nil, id: String? = nil, sidecar: String) {
        self.webpageURL = webpageURL.map(Self.shortened)
        self.uploader = uploader.map(Self.shortened)
        self.uploaderURL = uploaderURL.map(Self.shortened)
        self.uploadDate = uploadDate.map(Self.shortened)
        self.title = title.map(Self.shortened)
        self.extractor = extractor.map(Self.shortened)
        self.id = id.map(Self.shortened)
        self.sidecar = sidecar
    }

    /// A record read back (`compare --resume`) is kept to the same limit: it may come from a
    /// version that kept every field whole.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func field(_ key: CodingKeys) throws -> String? { try c.decodeIfPresent(String.self, forKey: key) }
        self.init(webpageURL: try field(.webpageURL), uploader: try field(.uploader), uploaderURL: try field(.uploaderURL),
                  uploadDate: try field(.uploadDate), title: try field(.title), extractor: try field(.extractor), id: try field(.id),
                  sidecar: try c.decode(String.self, forKey: .sidecar))
    }

    /// `value`, or its first characters and "…" when it is longer than `fieldLimit` characters.
    static func shortened(_ value: String) -> String {
        // Counting stops at the limit: a field of megabytes is not walked to its end.
        guard let cut = value.index(value.startIndex, offsetBy: fieldLimit, limitedBy: value.endIndex),
              cut < value.endIndex else { return value }
        return value[..<value.index(before: cut)] + "…"
    }

    enum CodingKeys: String, CodingKey {
        case webpageURL = "webpage_url", uploader, uploaderURL = "uploader_url", uploadDate = "upload_date"
        case title, extractor, id, sidecar
    }

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

/// A reference as it was indexed, and whether the file at its path still is that file.
package struct ReferenceCheck: Sendable, Equatable {
    /// SHA-256 of the whole file when it was indexed.
    package var sha256: String
    package var size: Int64
    package var indexedAt: Date?
    /// True when the file on disk has the digest it was indexed with.
    package var verified: Bool
    /// Why not, for people: "changed since it was indexed", "is gone".
    package var problem: String?

    package init(sha256: String, size: Int64, indexedAt: Date?, verified: Bool, problem: String?) {
        self.sha256 = sha256
        self.size = size
        self.indexedAt = indexedAt
        self.verified = verified
        self.problem = problem
    }
}
