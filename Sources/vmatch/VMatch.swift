// The command line: thin. Parsing, progress, exit statuses; the work is in the modules.
import ArgumentParser
import Foundation
import Pipeline

@main
struct VMatch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmatch",
        abstract: "Finds where your own videos' picture and voice are reused in other clips.",
        discussion: """
        Fingerprint your library once, then check any downloaded clip against it:
          vmatch index ~/Videos/channel
          vmatch compare ~/Downloads/suspect.mp4

        The library is $VMATCH_DB, else $XDG_DATA_HOME/vmatch/library.sqlite, else \
        ~/.local/share/vmatch/library.sqlite (--db FILE to choose). Results go to stdout; \
        progress, summaries and errors to stderr. VMATCH_KEYPOINTS=0 switches off the keypoint \
        channel (a picture found wherever it sits in the frame: turned, inset, cropped) for \
        index and compare.
        """,
        version: vmatchVersion,
        subcommands: [Index.self, Compare.self, Watch.self, List.self, Remove.self, Hash.self, Probe.self, Decode.self])

    static func main() {
        MediaFiles.configureProcessMemory()
        if let problem = MediaWalker.currentDirectoryProblem {
            Terminal.error("cannot tell the current folder: \(problem); change to a folder that exists")
            Foundation.exit(Status.unreadable)
        }
        Foundation.exit(run(Array(CommandLine.arguments.dropFirst())))
    }

    /// Parses and runs one command line; returns the exit status. Help, `--version` and
    /// completion scripts go to stdout with status 0; a usage error goes to stderr, worded as
    /// every other error ("error: …"), with status 64: a bare `vmatch` and `vmatch help NAME`
    /// for a command that does not exist included.
    static func run(_ arguments: [String]) -> Int32 {
        if arguments.isEmpty {
            Terminal.error("no command given")
            Terminal.write("\n" + helpMessage() + "\n")
            return Status.usage
        }
        if arguments.first == "help", let unknown = arguments.dropFirst().first(where: { !$0.hasPrefix("-") }),
           !configuration.subcommands.contains(where: { $0._commandName == unknown }) {
            Terminal.error("no command '\(unknown)'; the commands are \(shownCommands.joined(separator: ", ")) (see 'vmatch --help')")
            return Status.usage
        }
        var command: ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            return finish(error)
        }
        do {
            try command.run()
            return Status.ok
        } catch let exit as ExitCode {
            return exit.rawValue
        } catch let error where exitCode(for: error) == .success || exitCode(for: error) == .validationFailure {
            return finish(error)  // `help` and validation throw these from run()
        } catch {
            Terminal.error("\(error)")
            return Status.unreadable
        }
    }

    /// The parser's own outcome: help or version on stdout (0), a usage error on stderr (64).
    private static func finish(_ error: Error) -> Int32 {
        let code = exitCode(for: error)
        let message = fullMessage(for: error)
        if code == .success {
            do { try Output.standard.line(message) } catch { return Status.unreadable }
            return Status.ok
        }
        let text = message.hasPrefix("Error: ") ? String(message.dropFirst("Error: ".count)) : message
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        Terminal.error(String(lines[0]))
        if lines.count > 1 { Terminal.write(lines[1] + "\n") }
        return code == .validationFailure ? Status.usage : code.rawValue
    }

    private static var shownCommands: [String] {
        configuration.subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName }
    }
}

let vmatchVersion = "0.1.0"

/// Exit statuses (README "Exit status").
enum Status {
    static let ok: Int32 = 0
    static let reuseFound: Int32 = 1
    static let unreadable: Int32 = 2
    static let usage: Int32 = 64
}
