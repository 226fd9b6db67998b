import Foundation
@testable import Pipeline
import Testing

@Suite struct JSONLinesJournalTests {
    private struct Entry: Codable, Equatable {
        var name: String
        var size: Int
    }

    /// A fresh file in its own folder, holding `text` (nil: no file).
    private static func file(_ text: String?) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("journal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("out.jsonl").path
        if let text { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        return path
    }

    private static func text(_ path: String) throws -> String {
        try String(contentsOf: URL(fileURLWithPath: path), encoding: .utf8)
    }

    private static func line(_ entry: Entry) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode(entry) + Data("\n".utf8)
    }

    @Test func recordsAreReadInOrderPassingOverBlankLines() throws {
        let path = try Self.file("{\"name\":\"a\",\"size\":1}\n\n \r\n{\"name\":\"b\",\"size\":2}\n")
        let contents = try JSONLinesJournal.read(path, as: Entry.self)
        #expect(contents.records == [Entry(name: "a", size: 1), Entry(name: "b", size: 2)])
        #expect(contents.firstForeignLine == nil)
    }

    @Test func aLineThatIsNotARecordIsNamedByItsNumber() throws {
        let path = try Self.file("{\"name\":\"a\",\"size\":1}\nnot json\n{\"name\":\"b\",\"size\":2}\n{\"other\":3}\n")
        let contents = try JSONLinesJournal.read(path, as: Entry.self)
        #expect(contents.records.map(\.name) == ["a", "b"])
        #expect(contents.firstForeignLine == 2)
        // A record the caller does not accept is foreign too.
        let small = try JSONLinesJournal.read(path, as: Entry.self) { $0.size < 2 }
        #expect(small.records.map(\.name) == ["a"])
        #expect(small.firstForeignLine == 2)
        let before = try Self.text(path)
        _ = try JSONLinesJournal.read(path, as: Entry.self)
        #expect(try Self.text(path) == before)
    }

    @Test func aWholeLastRecordWithoutItsNewlineIsReadAndGivenTheNewlineOnOpening() throws {
        let path = try Self.file("{\"name\":\"a\",\"size\":1}\n{\"name\":\"b\",\"size\":2}")
        #expect(try JSONLinesJournal.read(path, as: Entry.self).records.map(\.name) == ["a", "b"])
        let journal = try JSONLinesJournal(appendingTo: path)
        #expect(!journal.removedCutOffLine)
        try journal.append(Self.line(Entry(name: "c", size: 3)))
        #expect(try Self.text(path) == "{\"name\":\"a\",\"size\":1}\n{\"name\":\"b\",\"size\":2}\n{\"name\":\"c\",\"size\":3}\n")
    }

    @Test func aCutOffLastLineIsPassedOverWhenReadAndRemovedOnOpening() throws {
        let path = try Self.file("{\"name\":\"a\",\"size\":1}\n{\"name\":\"b\",\"si")
        let read = try JSONLinesJournal.read(path, as: Entry.self)
        #expect(read.records.map(\.name) == ["a"])
        #expect(read.firstForeignLine == nil)
        let journal = try JSONLinesJournal(appendingTo: path)
        #expect(journal.removedCutOffLine)
        #expect(try Self.text(path) == "{\"name\":\"a\",\"size\":1}\n")
        try journal.append(Self.line(Entry(name: "b", size: 2)))
        #expect(try JSONLinesJournal.read(path, as: Entry.self).records.map(\.name) == ["a", "b"])
        #expect(journal.cutOffNotice(command: "compare", clipCheckedAgain: true)
                == "compare: removed the cut-off last line of '\(path)'; that clip is checked again")
        #expect(journal.cutOffNotice(command: "watch", clipCheckedAgain: false)
                == "watch: removed the cut-off last line of '\(path)' (a record left unfinished by a full disk or a kill)")
    }

    @Test func aFileOfOnlyACutOffLineIsLeftEmpty() throws {
        let path = try Self.file("{")
        let read = try JSONLinesJournal.read(path, as: Entry.self)
        #expect(read.records.isEmpty && read.firstForeignLine == nil)
        let journal = try JSONLinesJournal(appendingTo: path)
        #expect(journal.removedCutOffLine)
        #expect(try Self.text(path) == "")
    }

    @Test func anEmptyOrMissingFileHasNoRecordsAndIsLeftAsItIs() throws {
        let empty = try Self.file("")
        #expect(try JSONLinesJournal.read(empty, as: Entry.self).records.isEmpty)
        #expect(try !JSONLinesJournal(appendingTo: empty).removedCutOffLine)
        #expect(try Self.text(empty) == "")

        let missing = try Self.file(nil)
        let read = try JSONLinesJournal.read(missing, as: Entry.self)
        #expect(read.records.isEmpty && read.firstForeignLine == nil)
        #expect(!FileManager.default.fileExists(atPath: missing))
        let journal = try JSONLinesJournal(appendingTo: missing)
        #expect(!journal.removedCutOffLine)
        try journal.append(Self.line(Entry(name: "a", size: 1)))
        #expect(try Self.text(missing) == "{\"name\":\"a\",\"size\":1}\n")
    }

    /// A last line that is not JSON (the end of a text report) is kept, not taken for a record.
    @Test func aLastLineThatIsNotJSONIsKeptWithItsNewline() throws {
        let path = try Self.file("clip.mp4: no reuse found")
        #expect(try JSONLinesJournal.read(path, as: Entry.self).firstForeignLine == 1)
        #expect(try !JSONLinesJournal(appendingTo: path).removedCutOffLine)
        #expect(try Self.text(path) == "clip.mp4: no reuse found\n")
    }

    /// The watch log takes any last line that is not one of its records for cut off.
    @Test func theCallerCanSayWhatACutOffLineIs() throws {
        let path = try Self.file("{\"name\":\"a\",\"size\":1}\n{\"other\":2}")
        let journal = try JSONLinesJournal(appendingTo: path) { (try? JSONDecoder().decode(Entry.self, from: $0)) == nil }
        #expect(journal.removedCutOffLine)
        #expect(try Self.text(path) == "{\"name\":\"a\",\"size\":1}\n")
    }

    /// A last line longer than one piece read back is found whole.
    @Test func aLongCutOffLastLineIsRemovedWhole() throws {
        let long = "{\"name\":\"" + String(repeating: "x", count: 200_000)
        let path = try Self.file("{\"name\":\"a\",\"size\":1}\n" + long)
        #expect(try JSONLinesJournal(appendingTo: path).removedCutOffLine)
        #expect(try Self.text(path) == "{\"name\":\"a\",\"size\":1}\n")
    }

    @Test func aRemovedOrRenamedFileIsOpenedAgainByItsName() throws {
        let path = try Self.file("")
        let journal = try JSONLinesJournal(appendingTo: path)
        #expect(try !journal.reopenIfReplaced())
        try journal.append(Self.line(Entry(name: "a", size: 1)))
        try FileManager.default.moveItem(atPath: path, toPath: path + ".1")
        try Data("{\"name\":\"b\"".utf8).write(to: URL(fileURLWithPath: path))
        #expect(try journal.reopenIfReplaced())
        #expect(journal.removedCutOffLine)
        try journal.append(Self.line(Entry(name: "c", size: 3)))
        #expect(try Self.text(path) == "{\"name\":\"c\",\"size\":3}\n")
        #expect(try Self.text(path + ".1") == "{\"name\":\"a\",\"size\":1}\n")
    }

    @Test func failuresNameTheFileAndTheSystemsReason() throws {
        let full = try JSONLinesJournal(appendingTo: "/dev/full")
        #expect(throws: JSONLinesJournal.Failure.self) { try full.append(Data("{}\n".utf8)) }
        do throws(JSONLinesJournal.Failure) {
            try full.append(Data("{}\n".utf8))
        } catch {
            #expect(error.operation == .write)
            #expect(error.description == "cannot write '/dev/full': no space left on device")
        }
        let folder = try Self.file(nil) + "/missing/out.jsonl"
        do throws(JSONLinesJournal.Failure) {
            _ = try JSONLinesJournal(appendingTo: folder)
            Issue.record("opened \(folder)")
        } catch {
            #expect(error.operation == .open)
            #expect(error.description == "cannot write '\(folder)': no such file or directory")
        }
    }
}
