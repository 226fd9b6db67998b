// The command line: thin. Parsing, progress, exit statuses; the work is in the modules.
import ArgumentParser
import Foundation
import Pipeline

@main
struct VMatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmatch",
        abstract: "Finds where your own videos' picture and voice are reused in other clips.",
        version: vmatchVersion,
        subcommands: [Index.self, Compare.self, List.self, Remove.self, Hash.self, Probe.self, Decode.self])

    static func main() {
        MediaFiles.configureProcessMemory()
        if let problem = MediaWalker.currentDirectoryProblem {
            Terminal.error("cannot tell the current folder: \(problem); change to a folder that exists")
            Foundation.exit(Status.unreadable)
        }
        main(nil)
    }
}

let vmatchVersion = "0.1.0"

/// Exit statuses (README "Exit status").
enum Status {
    static let ok: Int32 = 0
    static let reuseFound: Int32 = 1
    static let unreadable: Int32 = 2
}
