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

    /// The source of `clip`: nil with no warning when there is no sidecar; nil and a warning
    /// when there is one that cannot be used.
    package static func read(for clip: String) -> (source: SourceInfo?, warning: String?) {
        let sidecar = path(for: clip)
        guard FileManager.default.fileExists(atPath: sidecar) else { return (nil, nil) }
        guard let data = FileManager.default.contents(atPath: sidecar) else {
            return (nil, "cannot read '\(sidecar)'; the report has no source for '\(clip)'")
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
