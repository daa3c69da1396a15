/// A read-model document held decoded while a projection works on it (see `ProjectionContext`
/// and `DocumentCarry`).
protocol CachedDocument: AnyObject {
    var isDirty: Bool { get }
    var isDeleted: Bool { get }
    /// Used in the batch now running (set when the context hands it out or replaces it).
    var isTouched: Bool { get }
    /// Came from LMDB or an earlier batch, rather than being created in this one.
    var isReused: Bool { get }
    func encoded() throws -> [UInt8]?
    /// After its batch's changes are written: what it holds is now what LMDB holds.
    func settle()
}

/// Where a document lives: a database of the projection and its key there.
struct DocumentKey: Hashable {
    let database: String
    let key: String

    /// The key alone: a projection has a handful of databases, and hashing both strings
    /// doubled the hashing of every document and counter lookup on a rebuild's applying
    /// thread. Equality still compares both.
    func hash(into hasher: inout Hasher) {
        hasher.combine(key)
    }
}

/// One cached document, typed: reading and replacing it neither boxes nor casts the value (a
/// document kept as `Any` was copied out by a dynamic cast and boxed again on every event).
final class DocumentBox<T: Codable>: CachedDocument {
    private(set) var value: T? {
        didSet { isDeleted = value == nil }
    }
    /// Kept beside `value`: asked through the protocol (unspecialized), `value == nil` copied
    /// the whole document to look at it.
    private(set) var isDeleted: Bool
    /// The value `forEachChange` compares against: the stored one, the current one (nothing
    /// changed since), or a copy kept when a change began. Copied only when a change begins,
    /// so a document read and never changed is never copied.
    enum Baseline {
        case stored
        case current
        case kept(T?)
    }

    private(set) var baseline: Baseline
    /// Set since the batch began (to be written) / since the last `forEachChange`.
    private(set) var isDirty = false
    private(set) var changed = false
    private(set) var isTouched = true
    private(set) var isReused: Bool
    /// Encodes the value. A closure made in the initializer, which its callers specialize for
    /// `T`: `encoded()` is called through `CachedDocument`, unspecialized, and there it looked up
    /// `Optional<T>`'s metadata and `T`'s conformances at every call (~2.4k instructions an
    /// order on the read-model thread, callgrind). Specialized, the encoder's cast to a type
    /// that writes itself is decided when compiling.
    private let encode: (DocumentBox<T>) throws -> [UInt8]

    private static func encode(_ box: DocumentBox<T>) throws -> [UInt8] {
        guard let value = box.value else { return [] }
        return try DocumentCodec.encode(value)
    }

    /// A document read from LMDB (or found absent there).
    init(loaded value: T?) {
        self.value = value
        isDeleted = value == nil
        baseline = .current
        isReused = value != nil
        encode = { try Self.encode($0) }
    }

    /// A document replaced without being read: its earlier value is LMDB's, read only if
    /// `forEachChange` asks.
    init(replacing newValue: T?) {
        value = nil
        isDeleted = true
        baseline = .stored
        isReused = false
        encode = { try Self.encode($0) }
        set(newValue)
    }

    private func willChange() {
        if case .current = baseline { baseline = .kept(value) }
        isDirty = true
        changed = true
    }

    func set(_ newValue: T?) {
        willChange()
        value = newValue
    }

    /// Changes the value in place (moved out, so `body` changes the only copy); when there is
    /// none, `initial` makes one, or with nil the document stays absent.
    func modify(initial: () -> T?, _ body: (inout T) throws -> Void) rethrows {
        let created = value == nil ? initial() : nil
        guard value != nil || created != nil else { return }
        willChange()
        guard var current = value.take() ?? created else { return }
        defer { value = current }
        try body(&current)
    }

    /// Marks the box as used by the batch now running.
    func touch() { isTouched = true }

    /// If it changed since the last call, calls `body` with the value then (`stored` reads it
    /// when that was LMDB's) and now, and resets the comparison to now.
    func takeChange(stored: () throws -> T?, _ body: (_ before: T?, _ after: T?) throws -> Void) throws {
        guard changed else { return }
        changed = false
        let before: T?
        switch baseline {
        case .stored: before = try stored()
        case .current: before = value
        case .kept(let kept): before = kept
        }
        baseline = .current
        try body(before, value)
    }

    func encoded() throws -> [UInt8]? {
        guard isDirty else { return nil }
        return try encode(self)
    }

    func settle() {
        baseline = .current
        isDirty = false
        changed = false
        isTouched = false
        isReused = true
    }
}
