import CLMDB

/// A handle to one named database of an environment. Valid for the environment's lifetime.
public struct Database: Sendable, Hashable {
    public let handle: MDB_dbi
    public let name: String
}
