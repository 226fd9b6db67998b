// Evidence that holds up, checked on real output: the JSON Lines against the published JSON
// Schema (Sources/Report/Schema), and the HTML report's structure — both files' digests, several
// frame pairs per passage with their distances, the clip's source from its yt-dlp sidecar, and a
// library video replaced after indexing said so everywhere, with no picture of it.
import Foundation
import Testing

/// The part of JSON Schema (2020-12) the output schema uses: type (one or several), const, enum,
/// properties, required, additionalProperties: false, items, minItems, minimum, maximum,
/// exclusiveMinimum, pattern, oneOf, and $ref into $defs. Returns what does not conform.
struct SchemaValidator {
    let root: [String: Any]

    func errors(_ value: Any, _ schema: [String: Any]? = nil, at path: String = "$") -> [String] {
        let schema = schema ?? root
        if let ref = schema["$ref"] as? String {
            let name = String(ref.dropFirst("#/$defs/".count))
            guard let target = (root["$defs"] as? [String: Any])?[name] as? [String: Any] else { return ["\(path): unknown \(ref)"] }
            return errors(value, target, at: path)
        }
        var found: [String] = []
        if let options = schema["oneOf"] as? [[String: Any]] {
            let passing = options.filter { errors(value, $0, at: path).isEmpty }.count
            if passing != 1 { found.append("\(path): matches \(passing) of oneOf") }
        }
        if let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map({ [$0] }),
           !types.contains(where: { Self.isType(value, $0) }) {
            return found + ["\(path): \(value) is not \(types)"]
        }
        if let constant = schema["const"], !Self.equal(constant, value) { found.append("\(path): not \(constant)") }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) { found.append("\(path): \(value) not in \(options)") }
        if let number = value as? NSNumber, !Self.isBoolean(value) {
            let x = number.doubleValue
            if let m = schema["minimum"] as? Double, x < m { found.append("\(path): \(x) < \(m)") }
            if let m = schema["maximum"] as? Double, x > m { found.append("\(path): \(x) > \(m)") }
            if let m = schema["exclusiveMinimum"] as? Double, x <= m { found.append("\(path): \(x) <= \(m)") }
        }
        if let text = value as? String, let pattern = schema["pattern"] as? String,
           text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): '\(text)' does not match \(pattern)")
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path): missing \(key)") }
            for (key, item) in object {
                if let sub = properties[key] as? [String: Any] {
                    found += errors(item, sub, at: path + "." + key)
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path): unexpected \(key)")
                }
            }
        }
        if let array = value as? [Any] {
            if let m = schema["minItems"] as? Int, array.count < m { found.append("\(path): fewer than \(m) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in array.enumerated() { found += errors(item, items, at: "\(path)[\(i)]") }
            }
        }
        return found
    }

    static func isType(_ value: Any, _ type: String) -> Bool {
        let isBool = isBoolean(value)
        switch type {
        case "null": return value is NSNull
        case "boolean": return isBool
        case "integer": return !isBool && (value as? NSNumber).map { $0.doubleValue == $0.doubleValue.rounded() } == true
        case "number": return !isBool && value is NSNumber
        case "string": return value is String
        case "array": return value is [Any]
        case "object": return value is [String: Any]
        default: return false
        }
    }

    /// JSON true and false (NSNumber of type char), not the numbers 0 and 1.
    static func isBoolean(_ value: Any) -> Bool {
        (value as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
    }

    static func equal(_ a: Any, _ b: Any) -> Bool { (a as? NSObject)?.isEqual(b) ?? false }
}

@Suite struct EvidenceTests {
    static let schemaURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/Report/Schema/suspect-report.schema.json")

    /// A library of copies of the fixture's videos in a folder of the test's own (so one can be
    /// replaced), indexed; and a folder of clips: the re-upload with a yt-dlp sidecar, the
    /// unrelated clip, a broken file.
    static func setUp() throws -> (dir: URL, library: URL, env: [String: String]) {
        try Fixture.make()
        let fm = FileManager.default
        let dir = CLI.workDirectory.appendingPathComponent("evidence-\(UUID().uuidString)")
        let library = dir.appendingPathComponent("library")
        let clips = dir.appendingPathComponent("clips")
        try fm.createDirectory(at: library, withIntermediateDirectories: true)
        try fm.createDirectory(at: clips, withIntermediateDirectories: true)
        for name in ["talk.mp4", "garden.mp4"] {
            try fm.copyItem(at: Fixture.library.appendingPathComponent(name), to: library.appendingPathComponent(name))
        }
        try fm.copyItem(at: Fixture.suspects.appendingPathComponent("reupload.mp4"), to: clips.appendingPathComponent("reupload.mp4"))
        try fm.copyItem(at: Fixture.suspects.appendingPathComponent("unrelated.mp4"), to: clips.appendingPathComponent("unrelated.mp4"))
        try Data("nope".utf8).write(to: clips.appendingPathComponent("broken.mp4"))
        // The voice of talk.mp4 (2–10 s) over the unrelated clip's picture: sound-only reuse.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        p.arguments = ["-v", "error", "-y", "-i", Fixture.suspects.appendingPathComponent("unrelated.mp4").path,
                       "-ss", "2", "-i", Fixture.library.appendingPathComponent("talk.mp4").path,
                       "-map", "0:v", "-map", "1:a", "-t", "8", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac",
                       clips.appendingPathComponent("voiceover.mp4").path]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let sidecar = #"{"id": "x1Y2", "title": "Miracle <laptop> trick", "webpage_url": "https://video.example/watch?v=x1Y2", "uploader": "Deals & More", "uploader_url": "https://video.example/@deals", "upload_date": "20261128", "extractor_key": "Example", "duration": 8}"#
        try Data(sidecar.utf8).write(to: clips.appendingPathComponent("reupload.info.json"))
        let env = ["VMATCH_DB": dir.appendingPathComponent("library.sqlite").path]
        let r = try CLI.run(["index", "-q", library.path], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        return (dir, library, env)
    }

    static func sha256(_ path: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        p.arguments = [path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(String(decoding: out, as: UTF8.self).prefix(64))
    }

    @Test func jsonOutputConformsToThePublishedSchema() throws {
        let (dir, library, env) = try Self.setUp()
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.schemaURL)) as? [String: Any])
        let validator = SchemaValidator(root: schema)
        let r = try CLI.run(["compare", "--json", "clips/reupload.mp4", "clips/unrelated.mp4", "clips/broken.mp4", "clips/missing.mp4"],
                            environment: env, directory: dir)
        #expect(r.status == 2)
        let records = r.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
        #expect(records.count == 4)
        for (i, record) in records.enumerated() {
            let object = try #require(record)
            #expect(validator.errors(object).isEmpty, "record \(i): \(validator.errors(object))")
        }
        // The validator refuses what the schema refuses (it is not a test that cannot fail).
        var wrong = try #require(records[0] as? [String: Any])
        wrong["sha256"] = "not hex"
        wrong["extra"] = 1
        #expect(validator.errors(wrong).count == 2)

        let first = try #require(records[0] as? [String: Any])
        #expect(first["sha256"] as? String == (try Self.sha256(dir.appendingPathComponent("clips/reupload.mp4").path)))
        #expect((first["source"] as? [String: Any])?["webpage_url"] as? String == "https://video.example/watch?v=x1Y2")
        let modified = try FileManager.default.attributesOfItem(atPath: dir.appendingPathComponent("clips/reupload.mp4").path)[.modificationDate] as? Date
        let formatter = ISO8601DateFormatter()
        #expect(first["file_modified"] as? String == modified.map { formatter.string(from: $0) })
        let match = try #require((first["matches"] as? [[String: Any]])?.first)
        #expect(match["reference"] as? String == library.appendingPathComponent("talk.mp4").path)
        #expect(match["sha256"] as? String == (try Self.sha256(library.appendingPathComponent("talk.mp4").path)))
        #expect(match["reference_verified"] as? Bool == true)
        let segment = try #require((match["segments"] as? [[String: Any]])?.first)
        #expect((segment["matched_frames"] as? Int ?? 0) >= 5)
        #expect((segment["matched_landmarks"] as? Int ?? 0) > 0)
    }

    @Test func aPassageReusedForItsSoundShowsBothSpectrograms() throws {
        let (dir, _, env) = try Self.setUp()
        let r = try CLI.run(["compare", "--json", "--html", "report.html", "clips/voiceover.mp4"], environment: env, directory: dir)
        #expect(r.status == 1, "\(r.stderr)")
        let record = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let match = try #require((record["matches"] as? [[String: Any]])?.first)
        #expect(match["modality"] as? String == "audio", "\(r.stdout)")
        let page = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        // Two spectrograms (clip, reference), no picture pair: the pictures differ.
        #expect(page.components(separatedBy: "alt=\"Spectrogram: ").count - 1 == 2, "\(page.count)")
        #expect(!page.contains("PDQ distance "))
        #expect(page.contains("sound landmarks of the passage matched"))
        let marked = page.components(separatedBy: "found again in both drawn stretches").first?.split(separator: " ").last.flatMap { Int($0) }
        #expect((marked ?? 0) > 0, "landmarks of both stretches are marked")
        #expect(page.contains("sound only"))
    }

    @Test func theReportShowsBothDigestsThreeFramePairsAndTheSource() throws {
        let (dir, library, env) = try Self.setUp()
        let r = try CLI.run(["compare", "--html", "report.html", "--claimant", "Jane <Doe>", "--contact", "jane@example.org",
                             "clips/reupload.mp4"], environment: env, directory: dir)
        #expect(r.status == 1, "\(r.stderr)")
        let page = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(page.contains(try Self.sha256(dir.appendingPathComponent("clips/reupload.mp4").path)))
        #expect(page.contains(try Self.sha256(library.appendingPathComponent("talk.mp4").path)))
        #expect(page.contains("the file at this path still has this SHA-256"))
        // An 8-second passage: pictures at its start, middle and end, each pair with its distance,
        // all within the match radius; and its sound (picture and sound are reused) as two spectrograms.
        #expect(page.components(separatedBy: "src=\"data:image/jpeg;base64,").count - 1 == 8)
        #expect(page.components(separatedBy: "alt=\"Spectrogram: ").count - 1 == 2)
        let distances = page.components(separatedBy: "PDQ distance ").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(distances.count == 3 && distances.allSatisfy { $0 <= 31 }, "\(distances)")
        #expect(page.contains("https://video.example/watch?v=x1Y2"))
        #expect(page.contains("Deals &amp; More (https://video.example/@deals)"))
        #expect(page.contains("2026-11-28"))
        #expect(page.contains("Miracle &lt;laptop&gt; trick"))
        #expect(page.contains("Jane &lt;Doe&gt;") && page.contains("jane@example.org"))
        #expect(page.contains("How this was found"))
        #expect(page.contains("@media print"))
        #expect(page.contains("Frames matched"))
        #expect(page.contains(dir.appendingPathComponent("library.sqlite").path))
    }

    @Test func aLibraryVideoReplacedAfterIndexingIsSaidSoAndNotShown() throws {
        let (dir, library, env) = try Self.setUp()
        let talk = library.appendingPathComponent("talk.mp4")
        try FileManager.default.removeItem(at: talk)
        try FileManager.default.copyItem(at: library.appendingPathComponent("garden.mp4"), to: talk)

        let text = try CLI.run(["compare", "clips/reupload.mp4"], environment: env, directory: dir)
        #expect(text.status == 1)
        #expect(text.stdout.contains("warning: library/talk.mp4 changed since it was indexed"), "\(text.stdout)")
        #expect(text.stderr.contains("warning: '\(talk.path)' changed since it was indexed"), "\(text.stderr)")

        let json = try CLI.run(["compare", "--json", "clips/reupload.mp4"], environment: env, directory: dir)
        let record = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let match = try #require((record["matches"] as? [[String: Any]])?.first)
        #expect(match["reference_verified"] as? Bool == false)
        #expect((match["reference_problem"] as? String)?.hasPrefix("changed since it was indexed") == true)

        let r = try CLI.run(["compare", "-q", "--html", "report.html", "clips/reupload.mp4"], environment: env, directory: dir)
        #expect(r.status == 1)
        let page = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(page.contains("class=\"warning\""))
        #expect(page.contains("no picture of the file now at that path is shown"))
        // The clip's three pictures and its spectrogram only; none cut from the file that replaced
        // the reference.
        #expect(page.components(separatedBy: "src=\"data:image/jpeg;base64,").count - 1 == 4)
        #expect(page.contains("the reference is not shown"))
    }
}
