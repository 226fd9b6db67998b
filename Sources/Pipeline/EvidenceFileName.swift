// The file name of a clip's evidence report in `watch --html-dir`: the clip's name with `.html`.
// A clip's name may already use all 255 bytes a Linux file name holds, so a name that would not
// fit is cut, and the digest of the whole name keeps two names alike up to the cut apart. A name
// already taken in the folder (an earlier clip of the same name) gets a copy number.
import Foundation

/// `NAME.html` for the clip at `clip` (`NAME-2.html`, … for `copy` 2, …), at most `maxBytes`
/// bytes of UTF-8. Over that, the name is cut between characters and gets the first 8 hex digits
/// of the SHA-256 of the whole name: `NAME…-1a2b3c4d.html`, the same for every run.
package func evidenceFileName(forClip clip: String, copy: Int = 1, maxBytes: Int = 255) -> String {
    let name = ((clip as NSString).lastPathComponent as NSString).deletingPathExtension
    let ending = (copy > 1 ? "-\(copy)" : "") + ".html"
    if name.utf8.count + ending.utf8.count <= maxBytes { return name + ending }
    let digest = "-" + SHA256.hex(of: Array(name.utf8)).prefix(8)
    var room = maxBytes - digest.utf8.count - ending.utf8.count
    var kept = ""
    for character in name {
        room -= character.utf8.count
        if room < 0 { break }
        kept.append(character)
    }
    return kept + digest + ending
}

/// The path in `folder` of the first of `NAME.html`, `NAME-2.html`, … for the clip at `clip`
/// that is not taken, cut to the folder's longest file name.
package func freeEvidencePath(forClip clip: String, in folder: String) -> String {
    let longest = pathconf(folder, Int32(_PC_NAME_MAX))
    func candidate(_ copy: Int) -> String {
        (folder as NSString).appendingPathComponent(evidenceFileName(forClip: clip, copy: copy, maxBytes: longest > 0 ? longest : 255))
    }
    var copy = 1
    while FileManager.default.fileExists(atPath: candidate(copy)) { copy += 1 }
    return candidate(copy)
}
