import Foundation

/// Paths of things the tests run as real processes.
public enum BuildProducts {
    /// The build directory holding the test bundle and every executable of the package.
    public static var directory: String {
        if let explicit = ProcessInfo.processInfo.environment["ORDERLOG_BIN_DIR"] { return explicit }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // Inside an .xctest bundle on some platforms: climb out of it.
        while url.path.contains(".xctest") { url = url.deletingLastPathComponent() }
        return url.path
    }

    public static func executable(_ name: String) -> String { directory + "/" + name }

    /// The repository root (for fixtures and the shared verifier).
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The independent chain verifier: `../shared/tools/verify-chain.py` beside the repository
    /// when present, else the copy kept in `Tests/Fixtures`.
    public static var chainVerifier: String {
        let shared = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/tools/verify-chain.py").path
        if FileManager.default.fileExists(atPath: shared) { return shared }
        return repositoryRoot.appendingPathComponent("Tests/Fixtures/verify-chain.py").path
    }
}

/// Runs a process to completion, feeding `input` to stdin; returns exit status and output.
/// The waiting happens off Swift's cooperative pool (see `offThePool`).
@discardableResult
public func runProcess(_ path: String, _ arguments: [String], input: Data? = nil) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await offThePool { try runProcessBlocking(path, arguments, input: input) }
}

/// `runProcess` for the few places that cannot await (a `defer`); it blocks its thread, so keep
/// it to commands that return at once.
@discardableResult
public func runProcessBlocking(_ path: String, _ arguments: [String], input: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let inputPipe = Pipe()
    if input != nil { process.standardInput = inputPipe }
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.write(input)
        try inputPipe.fileHandleForWriting.close()
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}

/// True when any file under `path` contains `needle`'s UTF-8 bytes.
public func directoryContains(_ path: String, _ needle: String) throws -> Bool {
    let bytes = Data(needle.utf8)
    let enumerator = FileManager.default.enumerator(atPath: path)
    while let item = enumerator?.nextObject() as? String {
        let full = path + "/" + item
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
        if let data = FileManager.default.contents(atPath: full), data.range(of: bytes) != nil { return true }
    }
    return false
}
