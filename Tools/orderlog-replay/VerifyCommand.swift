import ArgumentParser
import EventStore
import Foundation

/// `verify`: the hash chain, the stream index, version continuity and position gaps.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the hash chain and the stream index.")

    @OptionGroup var options: DataDirectoryOptions

    func run() throws {
        let store = try options.openLog()
        defer { store.close() }
        let progress = ProgressLine()
        let result = try store.verify { position in progress.show("verified \(position) events…") }
        progress.clear()
        switch result {
        case .verified(let events, let head):
            print("verified \(events) events, head \(head)")
        case .failed(let position, let reason):
            print("position \(position): \(reason)")
            throw ExitCode(1)
        }
    }
}
