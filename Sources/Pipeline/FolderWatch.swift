// `vmatch watch`: folders watched with inotify, recursively, and the files in them handed out
// once they are complete. "Complete" follows how files arrive: downloaders write under a partial
// name and rename (yt-dlp `NAME.part`, `.ytdl`, `NAME.fNNN.ext` pieces that are merged and
// deleted, `NAME.temp.ext` of its post-processors; browsers `.crdownload`, `.part`, `.download`),
// copies are closed after writing. A file is handed out when it has been closed or moved in and
// then seen unchanged (size and modification time) for `settle` seconds with no write in
// between, and no process holds it open for writing (a live recorder pauses longer than that);
// a file that disappears meanwhile is forgotten. No polling: the kernel wakes the
// watch, and it sleeps only as long as the next file needs to settle. A watched folder that
// goes (removed, renamed, unmounted) is named at once and awaited in its parent folder; when
// it comes back it is watched again and what it holds is looked at.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

package struct WatchError: Error, CustomStringConvertible {
    package var description: String
    /// The system's limit of watched folders is reached.
    package var isLimit = false
}

package final class FolderWatch {
    /// What `next` hands out.
    package enum Event: Equatable {
        /// Complete files, in the order they settled (paths absolute).
        case files([String])
        /// The stop descriptor became readable.
        case stop
        /// Something to say: `takeProblems` and `takeNotices` hold it.
        case news
    }

    /// Seconds a closed or moved-in file must stay unchanged before it is handed out.
    package let settle: Double
    private let descriptor: Int32
    /// Watch descriptor → folder path.
    private var folders: [Int32: String] = [:]
    private var watched = Set<String>()
    /// Files waiting to settle: when they were last written, and how they looked then.
    private var pending: [String: (touched: Double, size: Int64, modified: Double)] = [:]
    /// Files being written (created or modified, not yet closed): handed out only after a close,
    /// a move in, or `settle` seconds without a write (a writer that keeps the file open).
    private var writing: [String: Double] = [:]
    /// Files that would have been handed out but that a process holds open for writing: they wait,
    /// with no deadline, for their close (or their next write, which makes them `writing` again).
    private var heldOpen = Set<String>()
    private let roots: [String]
    /// What could not be read in folders that appeared while watching; `takeProblems` hands
    /// them out to be named.
    private var problems: [String] = []
    /// What is not a problem but should be said (a watched folder came back).
    private var notices: [String] = []
    /// Entries that cannot be checked (a link to nothing or in a loop, a name that is not UTF-8),
    /// each once: `takeUnreadable` hands them out to be named and recorded as failures.
    private var unreadable: [MediaWalker.Problem] = []
    /// The paths of those handed out so far; one removed (or renamed away) may come back.
    private var named = Set<String>()
    /// Watch descriptor of a parent folder → the watched folders gone from it, awaited there.
    private var awaited: [Int32: (parent: String, roots: Set<String>)] = [:]
    /// Watched folders gone that cannot come back to this watch (their parent went too, or
    /// cannot be watched).
    private var lost = Set<String>()

    package func takeProblems() -> [String] {
        defer { problems = [] }
        return problems
    }

    package func takeUnreadable() -> [MediaWalker.Problem] {
        defer { unreadable = [] }
        return unreadable
    }

    package func takeNotices() -> [String] {
        defer { notices = [] }
        return notices
    }

    /// Watched folders (of those given) that are gone now: awaited or lost.
    package var goneRoots: [String] {
        (Array(lost) + awaited.values.flatMap(\.roots)).sorted()
    }

    /// Watches `roots` and every folder under them (hidden ones and links to folders excepted).
    /// A folder that cannot be watched is an error naming it; the system's watch limit says how
    /// to raise it.
    package init(roots: [String], settle: Double = 2) throws {
        self.settle = settle
        self.roots = roots.map(MediaWalker.absolutePath)
        descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else {
            throw WatchError(description: "cannot watch folders: inotify: \(String(cString: strerror(errno)).lowercased())")
        }
        for root in self.roots {
            var info = stat()
            guard stat(root, &info) == 0 else {
                throw WatchError(description: "cannot watch '\(root)': \(MediaWalker.unreachableReason(root, errno: errno))")
            }
            guard info.st_mode & S_IFMT == S_IFDIR else { throw WatchError(description: "cannot watch '\(root)': not a folder") }
            try add(folder: root)
        }
    }

    deinit { close(descriptor) }

    /// Every file now under the watched folders that looks complete by its name (sorted): what
    /// arrived while no watch was running; and what could not be read there.
    /// Those a process holds open for writing wait for their close.
    package func existingFiles() -> (files: [String], problems: [MediaWalker.Problem]) {
        let (files, problems) = MediaWalker.files(under: roots)
        named.formUnion(problems.map(\.path))
        return (withoutWriters(files.filter(Self.looksComplete)), problems)
    }

    /// Waits until files have settled or `stop` is readable. Returns `.files` with at least one
    /// path, `.stop`, or `.news` when there is something to say. Throws when every watched
    /// folder is gone for good.
    package func next(stop: Int32) throws -> Event {
        while true {
            if !problems.isEmpty || !notices.isEmpty || !unreadable.isEmpty { return .news }
            if !lost.isEmpty && lost.isSuperset(of: roots) {
                throw WatchError(description: "every watched folder is gone: \(roots.map { "'\($0)'" }.joined(separator: ", "))")
            }
            let ready = settled(now: Self.now())
            if !ready.isEmpty { return .files(ready) }
            var polls = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                         pollfd(fd: stop, events: Int16(POLLIN), revents: 0)]
            let waitMs = nextDeadline().map { Int32(max(0, min(60_000, ($0 - Self.now()) * 1000)).rounded(.up)) } ?? -1
            let n = poll(&polls, 2, waitMs)
            if n < 0 {
                if errno == EINTR { continue }
                throw WatchError(description: "cannot watch folders: poll: \(String(cString: strerror(errno)).lowercased())")
            }
            if polls[1].revents != 0 { return .stop }
            if polls[0].revents != 0 { try readEvents() }
        }
    }

    // MARK: - Events

    private func add(folder: String) throws {
        guard !watched.contains(folder) else { return }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_MODIFY | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
        let wd = inotify_add_watch(descriptor, folder, mask)
        guard wd >= 0 else {
            if errno == ENOSPC {
                let limit = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_user_watches", encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                throw WatchError(description: "cannot watch '\(folder)': the system's limit of \(limit) watched folders per user is reached (raise it: sudo sysctl fs.inotify.max_user_watches=\(Int(limit).map { String(max($0 * 2, 524_288)) } ?? "524288"))", isLimit: true)
            }
            throw WatchError(description: "cannot watch '\(folder)': \(String(cString: strerror(errno)).lowercased())")
        }
        folders[wd] = folder
        watched.insert(folder)
        // Folders inside, after the watch is on, so none created meanwhile is missed.
        guard let directory = opendir(folder) else {
            throw WatchError(description: "cannot watch '\(folder)': \(String(cString: strerror(errno)).lowercased())")
        }
        defer { closedir(directory) }
        var inside: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            guard !name.hasPrefix(".") else { continue }
            let path = folder + "/" + name
            var info = stat()
            if lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR { inside.append(path) }
        }
        for sub in inside.sorted() { try add(folder: sub) }
    }

    private func readEvents() throws {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { return }
                throw WatchError(description: "cannot watch folders: read: \(String(cString: strerror(errno)).lowercased())")
            }
            guard n > 0 else { return }
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= n {
                let (wd, mask, length) = buffer.withUnsafeBytes { raw -> (Int32, UInt32, Int) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.wd, event.mask, Int(event.len))
                }
                let nameBytes = buffer[(offset + headerSize) ..< min(n, offset + headerSize + length)].prefix { $0 != 0 }
                offset += headerSize + length
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    // Events were lost: look at everything again.
                    for file in existingFiles().files { touch(file, closed: true) }
                    continue
                }
                let name = String(decoding: nameBytes, as: UTF8.self)
                if awaited[wd] != nil { parentEvent(wd: wd, mask: mask, name: name) }
                guard let folder = folders[wd] else { continue }
                if mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT) != 0 {
                    if roots.contains(folder) {
                        rootGone(folder)
                    } else if mask & UInt32(IN_MOVE_SELF) == 0 {
                        // (A folder renamed inside the tree is watched under its new name by the
                        // event of its new parent.)
                        folders[wd] = nil
                        watched.remove(folder)
                    }
                    continue
                }
                guard !name.isEmpty, !name.hasPrefix(".") else { continue }
                let gone = mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0
                // What a walk of the folder would name is named as it arrives, in its words.
                if let problem = MediaWalker.nameProblem(folder: folder, name: nameBytes) {
                    if gone { named.remove(problem.path) } else { cannotRead(problem) }
                    continue
                }
                let path = folder + "/" + name
                if mask & UInt32(IN_ISDIR) == 0, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, let problem = MediaWalker.linkProblem(path) {
                    cannotRead(problem)
                    continue
                }
                if mask & UInt32(IN_ISDIR) != 0 {
                    if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                        // A folder that cannot be watched is named; the watch goes on (the system's
                        // watch limit aside: then nothing new could be watched, so it stops).
                        do { try add(folder: path) } catch let error as WatchError where !error.isLimit {
                            problems.append(error.description)
                        }
                        // A folder moved in whole (or filled before its watch was on) brings files.
                        let (files, found) = MediaWalker.files(under: [path])
                        found.forEach(cannotRead)
                        for file in files where Self.looksComplete(file) { touch(file, closed: true) }
                    }
                    continue
                }
                if gone {
                    named.remove(path)
                    pending[path] = nil
                    writing[path] = nil
                    heldOpen.remove(path)
                } else if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 {
                    if Self.looksComplete(path) { touch(path, closed: true) }
                } else if mask & UInt32(IN_CREATE | IN_MODIFY) != 0 {
                    if Self.looksComplete(path) { touch(path, closed: false) }
                }
            }
        }
    }

    // MARK: - Watched folders that go and come back

    /// `root` was removed, renamed or unmounted: its watches are dropped, it is named, and its
    /// parent is watched for a folder of its name to appear.
    private func rootGone(_ root: String) {
        forget(tree: root)
        if Self.isFolder(root) {
            // Still or already there again (an unmount leaves the mount point; a re-creation).
            problems.append("watched folder '\(root)' was removed, renamed or unmounted, and a folder is there again")
            rootBack(root)
            return
        }
        let parent = root == "/" ? "/" : (root as NSString).deletingLastPathComponent
        var wd = folders.first { $0.value == parent }?.key ?? -1
        if wd < 0 {
            wd = inotify_add_watch(descriptor, parent, UInt32(IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW))
        }
        guard wd >= 0 else {
            lost.insert(root)
            problems.append("watched folder '\(root)' is gone, and its folder '\(parent)' cannot be watched for it to come back: \(String(cString: strerror(errno)).lowercased())")
            return
        }
        awaited[wd, default: (parent, [])].roots.insert(root)
        problems.append("watched folder '\(root)' is gone (removed, renamed or unmounted); watching '\(parent)' for it to come back")
        // It may have come back before its parent's watch was on.
        if Self.isFolder(root) { rootBack(root) }
    }

    /// An event of a parent folder where watched folders are awaited.
    private func parentEvent(wd: Int32, mask: UInt32, name: String) {
        guard let entry = awaited[wd] else { return }
        if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT | IN_IGNORED) != 0 {
            awaited[wd] = nil
            for root in entry.roots.sorted() {
                lost.insert(root)
                problems.append("watched folder '\(root)' cannot come back: '\(entry.parent)' is gone too")
            }
            return
        }
        guard mask & UInt32(IN_ISDIR) != 0, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 else { return }
        let path = entry.parent == "/" ? "/" + name : entry.parent + "/" + name
        if entry.roots.contains(path) { rootBack(path) }
    }

    /// `root` is a folder again: watched again, and its files looked at (those checked before
    /// are known to the watch log).
    private func rootBack(_ root: String) {
        do {
            try add(folder: root)
        } catch {
            problems.append("\(error)")
            return  // still awaited, if it was
        }
        for (wd, entry) in awaited where entry.roots.contains(root) {
            awaited[wd]?.roots.remove(root)
            if awaited[wd]?.roots.isEmpty == true {
                awaited[wd] = nil
                if folders[wd] == nil { inotify_rm_watch(descriptor, wd) }
            }
        }
        notices.append("watch: watched folder '\(root)' is back; watching it again")
        let (files, found) = MediaWalker.files(under: [root])
        found.forEach(cannotRead)
        for file in files where Self.looksComplete(file) { touch(file, closed: true) }
    }

    /// `problem` is handed out, unless it was already.
    private func cannotRead(_ problem: MediaWalker.Problem) {
        if named.insert(problem.path).inserted { unreadable.append(problem) }
    }

    /// Drops the watches of `root` and the folders under it, and the files waiting there.
    private func forget(tree root: String) {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        for (wd, folder) in folders where folder == root || folder.hasPrefix(prefix) {
            inotify_rm_watch(descriptor, wd)
            folders[wd] = nil
            watched.remove(folder)
        }
        for path in pending.keys where path.hasPrefix(prefix) { pending[path] = nil }
        for path in writing.keys where path.hasPrefix(prefix) { writing[path] = nil }
        heldOpen = heldOpen.filter { !$0.hasPrefix(prefix) }
    }

    private static func isFolder(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// A write (or a close or move in, `closed`) seen now.
    private func touch(_ path: String, closed: Bool) {
        let now = Self.now()
        heldOpen.remove(path)
        if closed {
            writing[path] = nil
            guard let look = Self.look(path) else { pending[path] = nil; return }
            pending[path] = (now, look.size, look.modified)
        } else if let waiting = pending[path] {
            // Written again after its close: it settles from now.
            pending[path] = (now, waiting.size, waiting.modified)
        } else {
            writing[path] = now
        }
    }

    /// Files whose last write is `settle` seconds old and that still look as they did then.
    private func settled(now: Double) -> [String] {
        // A writer that never closes (or closed before the watch began): settled by time alone.
        for (path, touched) in writing where now - touched >= settle {
            writing[path] = nil
            if let look = Self.look(path) { pending[path] = (touched, look.size, look.modified) }
        }
        var ready: [(Double, String)] = []
        for (path, entry) in pending where now - entry.touched >= settle {
            guard let look = Self.look(path) else { pending[path] = nil; continue }
            if look.size == entry.size && look.modified == entry.modified {
                pending[path] = nil
                ready.append((entry.touched, path))
            } else {
                pending[path] = (now, look.size, look.modified)  // still changing
            }
        }
        return withoutWriters(ready.sorted { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }.map(\.1))
    }

    /// `files` but those a process holds open for writing, which are kept in `heldOpen`.
    private func withoutWriters(_ files: [String]) -> [String] {
        guard !files.isEmpty else { return files }
        var keys: [String: FileKey] = [:]
        for file in files {
            var info = stat()
            if stat(file, &info) == 0 { keys[file] = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) }
        }
        let open = Self.openForWriting(among: Set(keys.values))
        guard !open.isEmpty else { return files }
        return files.filter { file in
            guard let key = keys[file], open.contains(key) else { return true }
            heldOpen.insert(file)
            return false
        }
    }

    private struct FileKey: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    /// Which of `files` some process has open for writing, as far as /proc shows it: the
    /// descriptors of the user's own processes (others' cannot be read; a file written only by
    /// another user is settled by time alone). The link /proc/PID/fd/N carries the descriptor's
    /// access mode in its permission bits (write: S_IWUSR), so only those are looked at further.
    private static func openForWriting(among files: Set<FileKey>) -> Set<FileKey> {
        guard !files.isEmpty, let processes = opendir("/proc") else { return [] }
        defer { closedir(processes) }
        var found = Set<FileKey>()
        while let process = readdir(processes) {
            let pid = withUnsafePointer(to: process.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
            guard pid.first?.isNumber == true else { continue }
            let folder = "/proc/" + pid + "/fd"
            guard let descriptors = opendir(folder) else { continue }
            defer { closedir(descriptors) }
            while let descriptor = readdir(descriptors) {
                let name = withUnsafePointer(to: descriptor.pointee.d_name) { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
                guard name.first?.isNumber == true else { continue }
                let link = folder + "/" + name
                var linkInfo = stat(), info = stat()
                guard lstat(link, &linkInfo) == 0, linkInfo.st_mode & S_IWUSR != 0,
                      stat(link, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                let key = FileKey(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
                if files.contains(key) { found.insert(key) }
            }
        }
        return found
    }

    private func nextDeadline() -> Double? {
        let times = pending.values.map(\.touched) + writing.values
        return times.min().map { $0 + settle }
    }

    private static func look(_ path: String) -> (size: Int64, modified: Double)? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return (Int64(info.st_size), Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Suffixes of files still being downloaded or assembled.
    static let partialSuffixes = [".part", ".ytdl", ".crdownload", ".download", ".partial", ".tmp"]

    /// False for names of files still being downloaded or assembled, hidden files, and files
    /// plainly not media (`.info.json` sidecars and the like).
    package static func looksComplete(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        guard !name.hasPrefix(".") else { return false }
        if partialSuffixes.contains(where: name.hasSuffix) { return false }
        if name.contains(".part-frag") { return false }
        let parts = name.split(separator: ".")
        if parts.count >= 3 {
            let beforeExtension = parts[parts.count - 2]
            // yt-dlp: NAME.f137.mp4 (one format, merged into NAME.mp4 then deleted), NAME.temp.mp4.
            if beforeExtension == "temp" { return false }
            if beforeExtension.first == "f", beforeExtension.count > 1, beforeExtension.dropFirst().allSatisfy(\.isNumber) { return false }
        }
        return !MediaWalker.nonMediaExtensions.contains((name as NSString).pathExtension)
    }
}
