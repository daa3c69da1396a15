import ArgumentParser
import EventStore
import Foundation

/// `export`: events as NDJSON, each line exactly the bytes stored, so anyone can re-verify the
/// chain (`… | verify-chain.py`).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write events as NDJSON, exactly as stored.")

    @OptionGroup var options: DataDirectoryOptions
    @Option(help: "First position (default 1).") var from: UInt64 = 1
    @Option(help: "Last position (default the head).") var to: UInt64?

    func validate() throws {
        if let to, to < from { throw ValidationError("--to must not be before --from") }
    }

    func run() throws {
        let store = try options.openLog()
        defer { store.close() }
        var output = BufferedOutput()
        let limit = to.map { Int(min($0 - from + 1, UInt64(Int.max))) } ?? Int.max
        let newline: [UInt8] = [0x0A]
        try store.forEachRawRecord(from: max(from, 1), limit: limit) { _, bytes in
            output.write(bytes)
            newline.withUnsafeBytes { output.write($0) }
        }
        output.flush()
    }
}
