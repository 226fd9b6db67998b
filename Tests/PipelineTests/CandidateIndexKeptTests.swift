// The candidate index kept beside the library (`CandidateIndexFile`): used only while it was built
// from what the library holds, built again and saved when the library changed, and never needed
// for an answer (a file that cannot be written leaves `compare` as it was without one).
import Foundation
import LibraryStore
import Matching
@testable import Pipeline
import Testing

@Suite struct CandidateIndexKeptTests {
    @Test func theFileIsUsedWhileItFitsTheLibraryAndBuiltAgainWhenItDoesNot() throws {
        let (folder, first, second, _) = try SuspectCheckerTests.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kept.sqlite").path
        let file = CandidateIndexFile.path(ofLibrary: path)
        let indexer = LibraryIndexer(jobs: 1, options: FingerprintOptions(role: .reference))
        _ = try indexer.run(paths: [first.path], library: try Library(path: path, create: true))

        let built = try LoadedReferences(path: path)
        #expect(built.origin == .built(reason: "missing") && FileManager.default.fileExists(atPath: file))
        let mapped = try LoadedReferences(path: path)
        #expect(mapped.origin == .file)
        #expect(mapped.entries == built.entries && mapped.index.keys == built.index.keys && mapped.indexed == built.indexed)
        #expect(mapped.index.anchorCount == built.index.anchorCount && mapped.index.anchorCount > 0)
        #expect(try CandidateIndexFile.refresh(libraryPath: path) == .file)

        // Another video indexed: the file no longer fits; built with both, saved, then used.
        _ = try indexer.run(paths: [second.path], library: try Library(path: path, create: false))
        let grown = try LoadedReferences(path: path)
        guard case .built(let reason) = grown.origin else {
            Issue.record("a stale file was used: \(grown.origin)")
            return
        }
        #expect(reason.hasPrefix("stale"))
        #expect(grown.entries.map(\.path) == [first.path, second.path].sorted())
        #expect(try LoadedReferences(path: path).origin == .file)

        // Removed again: stale again, and refreshed as `index` and `remove` do.
        #expect(try Library(path: path, create: false).remove(path: second.path))
        guard case .built = try CandidateIndexFile.refresh(libraryPath: path) else {
            Issue.record("refresh kept a stale file")
            return
        }
        let shrunk = try LoadedReferences(path: path)
        #expect(shrunk.origin == .file && shrunk.entries.map(\.path) == [first.path])
    }

    @Test func aFileThatCannotBeWrittenIsSaidAndChangesNoAnswer() throws {
        let (folder, first, _, _) = try SuspectCheckerTests.setUp()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("unwritable.sqlite").path
        _ = try LibraryIndexer(jobs: 1, options: FingerprintOptions(role: .reference)).run(paths: [first.path], library: try Library(path: path, create: true))
        // A folder where the file would go: it can be neither read nor replaced.
        try FileManager.default.createDirectory(atPath: CandidateIndexFile.path(ofLibrary: path), withIntermediateDirectories: false)
        let loaded = try LoadedReferences(path: path)
        guard case .builtNotSaved = loaded.origin else {
            Issue.record("expected an index built but not saved, got \(loaded.origin)")
            return
        }
        #expect(loaded.origin.note?.contains("the next run builds it again") == true)
        #expect(loaded.entries.map(\.path) == [first.path] && loaded.index.anchorCount > 0)
    }
}
