import ArgumentParser
import Foundation

/// `orderlog-replay`: the audit and recovery tool (API.md "Processes"). Every subcommand but
/// `rebuild` (without `--check`) and `restore` opens LMDB read-only and is safe beside a
/// running server.
@main
struct OrderLogReplay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orderlog-replay",
        abstract: "Verify, question, export, back up and restore an OrderLog log without the server.",
        subcommands: [VerifyCommand.self, StreamCommand.self, RebuildCommand.self, ExportCommand.self, BackupCommand.self, RestoreCommand.self,
                      StatsCommand.self])

    /// Usage errors exit 2 with a one-line reason (ArgumentParser's default is 64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as ToolFailure {
            FileHandle.standardError.write(Data("orderlog-replay: \(failure.message)\n".utf8))
            Foundation.exit(failure.code)
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure || (code != .success && !(error is ExitCode)) {
                let message = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "usage error"
                FileHandle.standardError.write(Data("orderlog-replay: \(message)\n".utf8))
                if code == .success { Foundation.exit(0) }
                Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
            }
            exit(withError: error)
        }
    }
}

/// A failure with its exit status: 1 for a failed check, 2 for a usage error.
struct ToolFailure: Error {
    let message: String
    let code: Int32

    static func usage(_ message: String) -> ToolFailure { ToolFailure(message: message, code: 2) }
    static func failed(_ message: String) -> ToolFailure { ToolFailure(message: message, code: 1) }
}
