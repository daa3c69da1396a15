import Foundation

/// A fresh directory under the system temp dir, removed when the test is done.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init(_ label: String = "orderlog") {
        path = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(atPath: path)
    }

    public func sub(_ name: String) -> String { path + "/" + name }
}
