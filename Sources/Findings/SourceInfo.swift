// Where a clip came from, as its downloader recorded it (a yt-dlp `.info.json` beside it), kept
// for the reports: Pipeline's `SourceSidecar` reads it, Report shows it.
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
}
