// Where a clip came from, when its downloader said so: yt-dlp's `--write-info-json` writes
// `NAME.info.json` beside `NAME.EXT`. Its provenance fields go into the reports; a sidecar that
// cannot be read or parsed is a warning, never a failure of the clip.
import Findings
import Foundation

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
    /// A sidecar that is a symbolic link is read only when it leads to a file in the clip's own
    /// folder, and the report names that file: a link out of it (a download that points its
    /// sidecar at `~/.ssh/…` or another user's file) would put someone else's text in a report.
    package static func read(for clip: String) -> (source: SourceInfo?, warning: String?) {
        let named = path(for: clip)
        guard FileManager.default.fileExists(atPath: named) else { return (nil, nil) }
        let sidecar: String
        switch resolveLink(named, clip: clip) {
        case .file(let path): sidecar = path
        case .outside(let target):
            return (nil, "'\(named)' is a symbolic link to '\(target)', outside the clip's folder, and was not read; the report has no source for '\(clip)'")
        }
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

    private enum Resolved {
        /// The file to read and name: the sidecar itself, or the file its link leads to.
        case file(String)
        /// A link that leads out of the clip's folder, to this file.
        case outside(String)
    }

    private static func resolveLink(_ sidecar: String, clip: String) -> Resolved {
        var info = stat()
        guard lstat(sidecar, &info) == 0, info.st_mode & S_IFMT == S_IFLNK else { return .file(sidecar) }
        let target = realPath(sidecar) ?? sidecar
        let folder = realPath((clip as NSString).deletingLastPathComponent)
        return (target as NSString).deletingLastPathComponent == folder ? .file(target) : .outside(target)
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
