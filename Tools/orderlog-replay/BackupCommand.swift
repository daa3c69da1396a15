import ArgumentParser
import EventStore
import Foundation
import LMDB

/// `backup --out DIR`: consistent, compacted copies taken while the server runs — the read
/// models first, then the log (with its key store), so no checkpoint in the copy is ahead of
/// the copied log. The data directory's secrets (master key, token secret) are copied too
/// unless `--without-secrets`: without the master key the copy's personal data stays sealed.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "backup", abstract: "Copy the data directory consistently while the server runs.")

    @OptionGroup var options: DataDirectoryOptions
    @Option(help: "Directory to write the backup into (created; must be empty).") var out: String
    @Flag(help: "Leave master.key and token.secret out of the backup.") var withoutSecrets = false

    func run() throws {
        let directory = try options.directory()
        let manager = FileManager.default
        if manager.fileExists(atPath: out), let contents = try? manager.contentsOfDirectory(atPath: out), !contents.isEmpty {
            throw ToolFailure.usage("\(out) is not empty")
        }
        try manager.createDirectory(atPath: out + "/events", withIntermediateDirectories: true)
        if manager.fileExists(atPath: directory + "/readmodels/data.mdb") {
            try manager.createDirectory(atPath: out + "/readmodels", withIntermediateDirectories: true)
            let readModels = try Environment(path: directory + "/readmodels", options: .init(maxDatabases: 256, readOnly: true))
            try readModels.copy(to: out + "/readmodels", compact: true)
            readModels.close()
        }
        let log = try Environment(path: directory + "/events", options: .init(maxDatabases: 64, readOnly: true))
        try log.copy(to: out + "/events", compact: true)
        log.close()
        if !withoutSecrets {
            for secret in ["master.key", "token.secret"] where manager.fileExists(atPath: directory + "/" + secret) {
                try manager.copyItem(atPath: directory + "/" + secret, toPath: out + "/" + secret)
            }
        }
        let copied = try EventStore.openReadOnly(directory: out + "/events")
        defer { copied.close() }
        print("backed up \(try copied.headPosition) events to \(out)")
    }
}

/// `restore --from DIR --data DIR`: puts a backup in place. Refuses a non-empty target
/// unless `--force`, and never runs under a live server.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "restore", abstract: "Restore a backup into a data directory.")

    @Option(help: "The backup directory.") var from: String
    @Option(help: "The data directory to restore into.") var data: String
    @Flag(help: "Replace a non-empty data directory (never one a server holds).") var force = false

    func run() throws {
        let manager = FileManager.default
        guard manager.fileExists(atPath: from + "/events/data.mdb") else { throw ToolFailure.usage("\(from) holds no OrderLog backup (no events/data.mdb)") }
        if DirectoryLock.isHeld(at: data + "/orderlog.lock") { throw ToolFailure.usage("a server holds \(data); stop it first") }
        let existing = (try? manager.contentsOfDirectory(atPath: data)) ?? []
        if !existing.isEmpty {
            guard force else { throw ToolFailure.usage("\(data) is not empty; add --force to replace it") }
            for item in existing { try manager.removeItem(atPath: data + "/" + item) }
        }
        try manager.createDirectory(atPath: data, withIntermediateDirectories: true)
        let lock = try DirectoryLock(path: data + "/orderlog.lock")
        defer { _ = lock }
        for item in try manager.contentsOfDirectory(atPath: from) where item != "orderlog.lock" {
            try manager.copyItem(atPath: from + "/" + item, toPath: data + "/" + item)
        }
        let restored = try EventStore.openReadOnly(directory: data + "/events")
        defer { restored.close() }
        guard case .verified(let events, _) = try restored.verify() else { throw ToolFailure.failed("the restored log does not verify") }
        print("restored \(events) events into \(data)")
    }
}
