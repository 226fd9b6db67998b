// Where a clip came from, when its downloader said so: yt-dlp's `--write-info-json` writes
// `NAME.info.json` beside `NAME.EXT`. Its provenance fields go into the reports; a sidecar that
// cannot be read or parsed is a warning, never a failure of the clip.
import Foundation
import Report

package enum SourceSidecar {
    /// The sidecar's path for `clip` (whether or not it exists).
    package static func path(for clip: String) -> String {
        (clip as NSString).deletingPathExtension + ".info.json"
    }

    /// The most of a sidecar that is read. yt-dlp's are well under it (hundreds of kilobytes
    /// with every format's and caption track's URLs); parsing costs about ten times the size in
    /// memory, and a larger file is no source record to trust.
    package static let sizeLimit = 4 << 20

    /// The source of `clip`: nil with no warning when there is no sidecar; nil and a warning
    /// when there is one that cannot be used (over `sizeLimit` bytes included: not read).
    package static func read(for clip: String) -> (source: SourceInfo?, warning: String?) {
        let sidecar = path(for: clip)
        guard FileManager.default.fileExists(atPath: sidecar) else { return (nil, nil) }
        let unreadable = (nil as SourceInfo?, "cannot read '\(sidecar)'; the report has no source for '\(clip)'")
        guard let handle = FileHandle(forReadingAtPath: sidecar) else { return unreadable }
        defer { try? handle.close() }
        let data: Data
        do {
            // One byte over the limit is enough to know it is over, whatever size the file claims.
            data = try handle.read(upToCount: sizeLimit + 1) ?? Data()
        } catch {
            return unreadable
        }
        guard data.count <= sizeLimit else {
            return (nil, "'\(sidecar)' is over \(sizeLimit >> 20) MiB, the most read of a sidecar, and was not read; the report has no source for '\(clip)'")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return (nil, "'\(sidecar)' is not a JSON object (yt-dlp's .info.json); the report has no source for '\(clip)'")
        }
        func text(_ key: String) -> String? {
            switch object[key] {
            case let s as String: s.isEmpty ? nil : s
            case let n as NSNumber: n.stringValue
            default: nil
            }
        }
        let source = SourceInfo(webpageURL: text("webpage_url") ?? text("original_url"), uploader: text("uploader") ?? text("channel"),
                                uploaderURL: text("uploader_url") ?? text("channel_url"), uploadDate: text("upload_date"),
                                title: text("title"), extractor: text("extractor_key") ?? text("extractor"), id: text("id"), sidecar: sidecar)
        return (source, nil)
    }
}
