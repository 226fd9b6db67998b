// The command line: thin. Parsing, progress, exit statuses; the work is in the modules.
import ArgumentParser
import CMemory

@main
struct VMatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmatch",
        abstract: "Finds where your own videos' picture and voice are reused in other clips.",
        version: vmatchVersion,
        subcommands: [Index.self, Compare.self, List.self, Remove.self, Hash.self, Probe.self, Decode.self])

    static func main() {
        // Blocks of 256 KiB and more (a reference piece's tables, a window's hits) are mapped
        // and unmapped on their own. glibc's default raises this threshold to the largest block
        // freed so far, after which such blocks come from the heap and leave it fragmented: a
        // 2-hour reference matched in pieces then peaked 13 MiB above a 30-minute one; 7 with
        // this. Costs no measurable time (scripts/bench).
        _ = vm_set_mmap_threshold(256 << 10)
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
