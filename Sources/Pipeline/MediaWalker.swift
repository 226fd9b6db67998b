// Turns the paths a user names into the list of files to consider: folders are walked
// recursively (hidden entries skipped, symbolic links to folders not followed, so a link loop
// cannot trap the walk), files are taken as named. What is media is decided later, by probing.
import Foundation

public enum MediaWalker {
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read '\(path)': \(reason)" }
    }

    /// Absolute, standardized paths of the regular files under `paths`, sorted, and one problem
    /// per path that does not exist or cannot be listed.
    public static func files(under paths: [String]) -> (files: [String], problems: [Problem]) {
        var files = Set<String>()
        var problems: [Problem] = []
        let manager = FileManager.default
        for path in paths {
            let absolute = absolutePath(path)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
                problems.append(Problem(path: path, reason: "no such file or directory"))
                continue
            }
            guard isDirectory.boolValue else {
                files.insert(absolute)
                continue
            }
            guard manager.isReadableFile(atPath: absolute),
                  let enumerator = manager.enumerator(at: URL(fileURLWithPath: absolute),
                                                      includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey],
                                                      options: [.skipsHiddenFiles],
                                                      errorHandler: { url, error in
                                                          problems.append(Problem(path: url.path, reason: error.localizedDescription))
                                                          return true
                                                      })
            else {
                problems.append(Problem(path: path, reason: "permission denied"))
                continue
            }
            for case let url as URL in enumerator {
                let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
                if values?.isSymbolicLink == true {
                    // Follow links to files, never to folders.
                    var linkedIsDirectory: ObjCBool = false
                    if manager.fileExists(atPath: url.path, isDirectory: &linkedIsDirectory), !linkedIsDirectory.boolValue {
                        files.insert(url.standardizedFileURL.path)
                    }
                } else if values?.isRegularFile == true {
                    files.insert(url.standardizedFileURL.path)
                }
            }
        }
        return (files.sorted(), problems)
    }

    public static func absolutePath(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }
}
