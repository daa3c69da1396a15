import Foundation

/// A scratch directory for one benchmark run, removed afterwards.
final class TemporaryDataDirectory {
    let path: String

    init(_ label: String) {
        path = NSTemporaryDirectory() + "orderlog-bench-\(label)-\(UUID().uuidString.prefix(8))"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }
}
