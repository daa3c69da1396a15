import Application
import ArgumentParser
import EventStore
import Foundation
import Projections

/// `--data DIR`, shared by every subcommand, and how the tool opens what is in it.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .long, help: "The server's data directory.")
    var data: String?

    func directory() throws -> String {
        guard let data, !data.isEmpty else { throw ToolFailure.usage("--data DIR is required") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: data, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ToolFailure.usage("\(data) is not a directory")
        }
        guard FileManager.default.fileExists(atPath: data + "/events/data.mdb") else {
            throw ToolFailure.usage("\(data) is not an OrderLog data directory (no events/data.mdb)")
        }
        return data
    }

    /// The log, read-only (never blocks the server's writer).
    func openLog() throws -> EventStore {
        let dir = try directory()
        do {
            return try EventStore.openReadOnly(directory: dir + "/events", sideTables: PersonalDataVault.sideTables)
        } catch {
            throw ToolFailure.usage("cannot open \(dir)/events: \(error)")
        }
    }

    /// The personal-data vault, for showing personal data (master key from
    /// `ORDERLOG_MASTER_KEY` or `<data>/master.key`); nil when no key is at hand.
    func openVault(_ store: EventStore) throws -> PersonalDataVault? {
        let dir = try directory()
        let environment = ProcessInfo.processInfo.environment["ORDERLOG_MASTER_KEY"]
        guard let key = try? PersonalDataVault.masterKey(dataDirectory: dir, environmentValue: environment, keyStoreIsEmpty: false) else {
            return nil
        }
        do {
            return try PersonalDataVault(readOnlyStore: store, masterKey: key)
        } catch {
            throw ToolFailure.failed("\(error)")
        }
    }

    var lockPath: String { (data ?? ".") + "/orderlog.lock" }

    func serverIsRunning() -> Bool {
        DirectoryLock.isHeld(at: lockPath)
    }
}

/// Writes to stdout through a buffer (exports write millions of lines).
struct BufferedOutput {
    private var buffer: [UInt8] = []

    init() {
        buffer.reserveCapacity(1 << 20)
    }

    mutating func write(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { flush() }
    }

    mutating func write(_ string: String) {
        buffer.append(contentsOf: string.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    mutating func flush() {
        guard !buffer.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}

/// A progress line on a terminal (stderr), nothing when piped.
struct ProgressLine {
    let enabled = isatty(STDERR_FILENO) != 0

    func show(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
