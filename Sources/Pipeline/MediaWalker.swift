// Turns the paths a user names into the list of files to consider: folders are walked
// recursively with readdir (hidden entries skipped; symbolic links to files followed, links to
// folders not, so a link loop cannot trap the walk), files are taken as named. What is media is
// decided later, by probing. Entries that cannot be used are reported, never dropped silently.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package enum MediaWalker {
    package struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        package var path: String
        package var reason: String
        /// What could not be done: "read" (the system refused), "check" (nothing in it to check).
        package var action = "read"
        package var description: String { "cannot \(action) '\(path)': \(reason)" }
    }

    /// Extensions that are surely not audio or video: failing to decode them is not an error
    /// for `index`, and `compare` passes over them in folders.
    package static let nonMediaExtensions: Set<String> = ["txt", "md", "json", "jsonl", "csv", "xml", "html", "pdf", "doc",
                                                         "docx", "zip", "gz", "sqlite", "sqlite-wal", "sqlite-shm", "db", "log", "srt", "vtt", "ass"]

    /// One entry of a walk, in the order the user named the paths (each folder's files sorted,
    /// then what could not be read in it).
    package enum Entry: Sendable, Equatable {
        case file(String)
        case problem(Problem)

        package var file: String? { if case .file(let path) = self { path } else { nil } }
        package var problem: Problem? { if case .problem(let problem) = self { problem } else { nil } }
    }

    /// The clips `compare` checks under `paths`: as `entries(under:)`, less the files found in
    /// folders that are plainly not media (files named are checked whatever they are). A folder
    /// named that yields no clip is a problem: a mistyped or empty folder must not read as "no
    /// reuse".
    package static func suspects(under paths: [String]) -> [Entry] {
        entries(under: paths, keep: { !nonMediaExtensions.contains(($0 as NSString).pathExtension.lowercased()) },
                emptyFolder: { skipped in
                    skipped == 0 ? "the folder holds no files to check"
                        : "the folder holds no media files to check (\(skipped) passed over as not media by their names)"
                })
    }

    /// Absolute, standardized paths of the regular files under `paths` (in the order named, each
    /// folder's files sorted, no path twice), and one problem per path that does not exist,
    /// cannot be listed, or has a name that is not UTF-8.
    package static func files(under paths: [String]) -> (files: [String], problems: [Problem]) {
        let all = entries(under: paths, keep: { _ in true }, emptyFolder: nil)
        return (all.compactMap(\.file), all.compactMap(\.problem))
    }

    /// The walk: `keep` filters the files found in folders (files named are always kept);
    /// `emptyFolder`, given how many files were passed over, is the reason a folder that yields
    /// nothing is a problem (nil: it is not).
    private static func entries(under paths: [String], keep: (String) -> Bool,
                                emptyFolder: ((Int) -> String)?) -> [Entry] {
        var ordered: [Entry] = []
        var seen = Set<String>()
        for path in paths {
            let absolute = absolutePath(path)
            // The system takes no longer path (stat, open, FFmpeg): refused with what to do,
            // never resolved into a relative path that would name the same file twice.
            guard absolute.utf8.count < Int(PATH_MAX) else {
                ordered.append(.problem(Problem(path: path, reason: tooLong(absolute))))
                continue
            }
            var info = stat()
            guard stat(absolute, &info) == 0 else {
                ordered.append(.problem(Problem(path: path, reason: unreachableReason(absolute, errno: errno))))
                continue
            }
            guard info.st_mode & S_IFMT == S_IFDIR else {
                if seen.insert(absolute).inserted { ordered.append(.file(absolute)) }
                continue
            }
            var found = Set<String>()
            var problems: [Problem] = []
            walk(absolute, into: &found, problems: &problems)
            let kept = found.filter(keep)
            for file in kept.sorted() where seen.insert(file).inserted { ordered.append(.file(file)) }
            ordered += problems.map(Entry.problem)
            if kept.isEmpty && problems.isEmpty, let emptyFolder {
                ordered.append(.problem(Problem(path: path, reason: emptyFolder(found.count), action: "check")))
            }
        }
        return ordered
    }

    private static func walk(_ folder: String, into files: inout Set<String>, problems: inout [Problem]) {
        guard let directory = opendir(folder) else {
            problems.append(Problem(path: folder, reason: unreachableReason(folder, errno: errno)))
            return
        }
        defer { closedir(directory) }
        var folders: [String] = []
        while let entry = readdir(directory) {
            // d_name is declared as 256 chars, but the record readdir returns may be shorter:
            // read the name in place, up to its terminating NUL, never the whole array.
            let raw = UnsafeRawPointer(entry).advanced(by: MemoryLayout<dirent>.offset(of: \dirent.d_name)!)
                .assumingMemoryBound(to: CChar.self)
            let bytes = Array(UnsafeRawBufferPointer(start: raw, count: strlen(raw)))
            guard let first = bytes.first, first != UInt8(ascii: ".") else { continue }
            if let problem = nameProblem(folder: folder, name: bytes) {
                problems.append(problem)
                continue
            }
            let name = String(decoding: bytes, as: UTF8.self)
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var own = stat()
            guard lstat(path, &own) == 0 else {
                problems.append(Problem(path: path, reason: unreachableReason(path, errno: errno)))
                continue
            }
            switch own.st_mode & S_IFMT {
            case S_IFDIR: folders.append(path)
            case S_IFREG: files.insert(path)
            case S_IFLNK:
                // A link is followed to a file; one that leads nowhere, or somewhere that cannot
                // be read, is named with its reason, never passed over.
                if let problem = linkProblem(path) {
                    problems.append(problem)
                } else if isRegularFile(path) {
                    files.insert(path)
                }
            default: break  // sockets, FIFOs, devices: never media here
            }
        }
        for sub in folders { walk(sub, into: &files, problems: &problems) }
    }

    /// The problem of `path` when it is a symbolic link that cannot be followed (to nothing, in a
    /// loop, or somewhere that cannot be read); nil for anything else. One wording wherever such
    /// a link is met: a folder's walk, a path named, a file arriving in a watched folder.
    package static func linkProblem(_ path: String) -> Problem? {
        var own = stat(), target = stat()
        guard lstat(path, &own) == 0, own.st_mode & S_IFMT == S_IFLNK, stat(path, &target) != 0 else { return nil }
        return Problem(path: path, reason: unreachableReason(path, errno: errno))
    }

    /// The problem of a file name that is not UTF-8, shown with its bad bytes replaced: such a
    /// name cannot be passed on (JSON, the decoder, the hook) as the name it is.
    package static func nameProblem(folder: String, name bytes: some Collection<UInt8>) -> Problem? {
        guard String(validating: bytes, as: UTF8.self) == nil else { return nil }
        let shown = String(decoding: bytes, as: UTF8.self)
        return Problem(path: (folder.hasSuffix("/") ? folder : folder + "/") + shown, reason: "the file name is not valid UTF-8")
    }

    /// Why `path` could not be looked at, `errno` being the system's reason: a broken link, a
    /// loop, a path too long and a name given that was not UTF-8 say what they are and what to
    /// do; other reasons are the system's own text.
    package static func unreachableReason(_ path: String, errno code: Int32) -> String {
        var own = stat()
        let isLink = lstat(path, &own) == 0 && own.st_mode & S_IFMT == S_IFLNK
        switch code {
        case ENOENT where isLink: return "a symbolic link to nothing (its target does not exist)"
        case ELOOP: return "a symbolic link in a loop (following it leads back to a link); point it at a file"
        case ENAMETOOLONG where path.utf8.count >= Int(PATH_MAX): return tooLong(path)
        case ENAMETOOLONG: return "a name in its path is longer than the file system takes; rename it"
        case ENOENT where path.contains("\u{FFFD}"):
            // The name as given was not UTF-8 and reached vmatch with its bad bytes replaced.
            return "no such file or directory (the name given is not valid UTF-8; rename the file, or give its folder)"
        default:
            let reason = String(cString: strerror(code)).lowercased()
            return isLink ? "a symbolic link whose target cannot be reached: " + reason : reason
        }
    }

    /// The system takes no path of `PATH_MAX` bytes or more (stat, open, FFmpeg).
    private static func tooLong(_ path: String) -> String {
        "its full path is \(path.utf8.count) bytes long, more than the system's limit of \(PATH_MAX); move it to a folder with a shorter path"
    }

    private static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    package static func absolutePath(_ path: String) -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path)
            : URL(fileURLWithPath: currentDirectory).appendingPathComponent(path)
        return url.standardizedFileURL.path
    }

    /// The current folder, however long its path: glibc's `getcwd` with no buffer of ours finds
    /// it past the kernel's 4096-byte limit, where Foundation's `currentDirectoryPath` gives up
    /// and paths would stay relative (one file indexed twice, as `./a` and `././a`).
    /// The command line checks `currentDirectoryProblem` first, so that a folder that cannot be
    /// told is refused with its reason rather than resolved wrongly.
    package static var currentDirectory: String {
        guard let pointer = getcwd(nil, 0) else { return FileManager.default.currentDirectoryPath }
        defer { free(pointer) }
        return String(cString: pointer)
    }

    /// Why the current folder cannot be told (it was removed, or a folder above it cannot be
    /// read); nil when it can.
    package static var currentDirectoryProblem: String? {
        guard let pointer = getcwd(nil, 0) else { return String(cString: strerror(errno)).lowercased() }
        free(pointer)
        return nil
    }
}
