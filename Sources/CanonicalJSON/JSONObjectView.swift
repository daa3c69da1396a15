/// One JSON object read in place: its members located once, each value parsed only when asked
/// for. For hot readers of stored documents (a rebuild reads every event's data), where
/// building a `JSONValue` tree hashed every member name into a dictionary only to look a few up.
///
/// Checked as strictly as `JSONParser.parse` for syntax (or, for the log's own records, only
/// where it is read: `Checking`); a string is validated as UTF-8 when it is read. A view points
/// into `bytes`: use it only while they are alive (inside the read transaction that handed them
/// out).
public struct JSONObjectView {
    /// How much of a document is checked for syntax.
    public enum Checking: Sendable {
        /// Every value, read or stepped over: for input from outside (request bodies).
        case everything
        /// Each value as it is read; a value stepped over is only matched for its quotes and
        /// brackets. For bytes this program wrote and a hash chain guards — the log's records,
        /// whose every reader steps over most of each record (hashes, metadata) and walks the
        /// nested data again when it reads it. Malformed bytes still never trap: a value read
        /// is parsed strictly, and an unbalanced document ends in an error.
        case readValues
    }

    private let bytes: UnsafeRawBufferPointer
    private let maxDepth: Int
    private let depth: Int
    private let checking: Checking
    private let members: [Member]
    /// The names that had escapes or non-ASCII bytes, decoded (`Member.decodedName` indexes
    /// them); empty for the objects we write.
    private let decodedNames: [String]

    /// Plain data (no references), so the members array is built and freed without a retain
    /// or release per member.
    private struct Member {
        /// The name's bytes as written; empty when the name is in `decodedNames`.
        let name: Range<Int>
        /// Index into `decodedNames`, or -1.
        let decodedName: Int
        let value: Range<Int>
    }

    /// The object `bytes` hold (whitespace around it allowed, nothing else).
    public init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONParser.defaultMaxDepth, checking: Checking = .everything)
        throws(JSONParser.SyntaxError)
    {
        var opened: JSONObjectView?
        try self.init(bytes, maxDepth: maxDepth, checking: checking, opening: nil, opened: &opened)
    }

    /// The object `bytes` hold, and the object of its member `name` located in the same walk
    /// (nil when there is no such member or it is not an object): for a reader that opens that
    /// member next — a log record's `data` — where `value(name)?.object()` walked it twice, once
    /// stepped over and once for its members. As `value(name)?.object()`, a repeated name
    /// yields the last.
    public static func opening(_ name: StaticString, in bytes: UnsafeRawBufferPointer, maxDepth: Int = JSONParser.defaultMaxDepth,
                               checking: Checking = .everything) throws(JSONParser.SyntaxError) -> (object: JSONObjectView, member: JSONObjectView?)
    {
        var opened: JSONObjectView?
        let object = try JSONObjectView(bytes, maxDepth: maxDepth, checking: checking, opening: name, opened: &opened)
        return (object, opened)
    }

    private init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int, checking: Checking, opening name: StaticString?, opened: inout JSONObjectView?)
        throws(JSONParser.SyntaxError)
    {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        parser.skipWhitespace()
        let start = parser.index
        guard start < bytes.count, bytes[start] == UInt8(ascii: "{") else { throw parser.error("expected an object") }
        try self.init(bytes: bytes, maxDepth: maxDepth, depth: 1, checking: checking, at: start, end: &parser.index, opening: name, opened: &opened)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the JSON value") }
    }

    /// The object whose `{` is at `start`; `end` is set to just after its `}`. Every value is
    /// stepped over on the way, its syntax checked as `checking` says — except the object of
    /// member `name`, which is walked as a view of its own into `opened`.
    private init(bytes: UnsafeRawBufferPointer, maxDepth: Int, depth: Int, checking: Checking, at start: Int, end: inout Int)
        throws(JSONParser.SyntaxError)
    {
        var opened: JSONObjectView?
        try self.init(bytes: bytes, maxDepth: maxDepth, depth: depth, checking: checking, at: start, end: &end, opening: nil, opened: &opened)
    }

    private init(bytes: UnsafeRawBufferPointer, maxDepth: Int, depth: Int, checking: Checking, at start: Int, end: inout Int,
                 opening name: StaticString?, opened: inout JSONObjectView?)
        throws(JSONParser.SyntaxError)
    {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.depth = depth
        self.checking = checking
        var parser = Parser(bytes: bytes, maxDepth: maxDepth, checking: checking, at: start)
        var members: [Member] = []
        // Room for a log record's nine members and an event's data without growing (at 8, every
        // record grew its array once): reading CPU 7.05 s against 7.31 s per 1M events, six
        // alternated pairs.
        members.reserveCapacity(12)
        var decodedNames: [String] = []
        let wanted = name.map { UnsafeRawBufferPointer(start: $0.utf8Start, count: $0.utf8CodeUnitCount) }
        try parser.walkRawMembers(depth: depth) { (name, decoded, parser: inout Parser) throws(JSONParser.SyntaxError) in
            let valueStart = parser.index
            let isWanted = wanted.map { wanted in
                decoded.map { $0.utf8.elementsEqual(wanted) } ?? name.map { Self.bytes(bytes, $0, equal: wanted) } ?? false
            } ?? false
            if isWanted, valueStart < bytes.count, bytes[valueStart] == UInt8(ascii: "{") {
                opened = try JSONObjectView(bytes: bytes, maxDepth: maxDepth, depth: depth + 1, checking: checking, at: valueStart, end: &parser.index)
            } else {
                // A later member of that name that is no object wins, as it does for `value`.
                if isWanted { opened = nil }
                try parser.skipValue(depth: depth)
            }
            if let decoded {
                decodedNames.append(decoded)
                members.append(Member(name: 0..<0, decodedName: decodedNames.count - 1, value: valueStart..<parser.index))
            } else {
                members.append(Member(name: name ?? 0..<0, decodedName: -1, value: valueStart..<parser.index))
            }
        }
        self.members = members
        self.decodedNames = decodedNames
        end = parser.index
    }

    /// The value of member `name`; with a repeated name, the last (as `JSONParser.parse` keeps).
    public func value(_ name: StaticString) -> Slice? {
        let wanted = UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        var index = members.count
        while index > 0 {
            index -= 1
            let member = members[index]
            let matches =
                member.decodedName < 0 ? Self.bytes(bytes, member.name, equal: wanted) : decodedNames[member.decodedName].utf8.elementsEqual(wanted)
            if matches { return Slice(bytes: bytes, maxDepth: maxDepth, depth: depth, checking: checking, range: member.value) }
        }
        return nil
    }

    /// Whether `bytes[range]` are `wanted`'s bytes (member names: a few bytes, compared in place).
    @inline(__always)
    private static func bytes(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, equal wanted: UnsafeRawBufferPointer) -> Bool {
        guard range.count == wanted.count else { return false }
        var offset = 0
        while offset < wanted.count {
            if bytes[range.lowerBound &+ offset] != wanted[offset] { return false }
            offset &+= 1
        }
        return true
    }

    /// One member's value, parsed on request.
    public struct Slice {
        fileprivate let bytes: UnsafeRawBufferPointer
        fileprivate let maxDepth: Int
        fileprivate let depth: Int
        fileprivate let checking: Checking
        fileprivate let range: Range<Int>

        private var first: UInt8 { bytes[range.lowerBound] }

        private func parser() -> Parser {
            Parser(bytes: bytes, maxDepth: maxDepth, checking: checking, at: range.lowerBound)
        }

        public var isNull: Bool { first == UInt8(ascii: "n") }

        /// The string, or nil when the value is not one; throws on invalid UTF-8 or escapes.
        public func string() throws(JSONParser.SyntaxError) -> String? {
            guard first == UInt8(ascii: "\"") else { return nil }
            var parser = parser()
            return try parser.parseString()
        }

        /// `body` over the string's bytes as stored, when the value is a string without escapes
        /// (a time, an id); nil otherwise. For readers that parse the text themselves and need
        /// no `String` of it. The bytes are not checked as UTF-8: `body` must accept only what
        /// it recognizes.
        public func withUnescapedString<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R? {
            guard first == UInt8(ascii: "\""), range.count >= 2 else { return nil }
            let inner = UnsafeRawBufferPointer(rebasing: bytes[(range.lowerBound + 1)..<(range.upperBound - 1)])
            guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
            return body(inner)
        }

        /// The integer, or nil when the value is not one that fits in 64 bits.
        public func int64() throws(JSONParser.SyntaxError) -> Int64? {
            guard first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return nil }
            var parser = parser()
            guard case .int(let value) = try parser.parseNumber() else { return nil }
            return value
        }

        public var bool: Bool? {
            switch first {
            case UInt8(ascii: "t"): true
            case UInt8(ascii: "f"): false
            default: nil
            }
        }

        /// The object, or nil when the value is not one.
        public func object() throws(JSONParser.SyntaxError) -> JSONObjectView? {
            guard first == UInt8(ascii: "{") else { return nil }
            var end = 0
            return try JSONObjectView(bytes: bytes, maxDepth: maxDepth, depth: depth + 1, checking: checking, at: range.lowerBound, end: &end)
        }

        /// The array's elements, or nil when the value is not an array.
        public func elements() throws(JSONParser.SyntaxError) -> [Slice]? {
            guard first == UInt8(ascii: "[") else { return nil }
            var parser = parser()
            var elements: [Slice] = []
            let depth = depth + 1
            try parser.walkElements { (parser: inout Parser) throws(JSONParser.SyntaxError) in
                let start = parser.index
                try parser.skipValue(depth: depth)
                elements.append(Slice(bytes: bytes, maxDepth: maxDepth, depth: depth, checking: checking, range: start..<parser.index))
            }
            return elements
        }

        /// The array's elements read as objects, each walked once (nil for an element that is
        /// not an object), or nil when the value is not an array: for arrays of objects (an
        /// order's lines, their specs), where `elements()` stepped over each element and its
        /// `object()` walked it again.
        public func objectElements() throws(JSONParser.SyntaxError) -> [JSONObjectView?]? {
            guard first == UInt8(ascii: "[") else { return nil }
            var parser = parser()
            var objects: [JSONObjectView?] = []
            // The depths `elements()` and then `object()` give.
            let elementDepth = depth + 1
            try parser.walkElements { (parser: inout Parser) throws(JSONParser.SyntaxError) in
                let start = parser.index
                if start < bytes.count, bytes[start] == UInt8(ascii: "{") {
                    objects.append(try JSONObjectView(bytes: bytes, maxDepth: maxDepth, depth: elementDepth + 1, checking: checking, at: start,
                                                      end: &parser.index))
                } else {
                    try parser.skipValue(depth: elementDepth)
                    objects.append(nil)
                }
            }
            return objects
        }

        /// The value as a tree, for readers without a hand-written path.
        public func value() throws(JSONParser.SyntaxError) -> JSONValue {
            var parser = parser()
            return try parser.parseValue(depth: depth)
        }
    }
}

extension Parser {
    /// A parser at `index` that steps over values as `checking` says.
    init(bytes: UnsafeRawBufferPointer, maxDepth: Int, checking: JSONObjectView.Checking, at index: Int) {
        self.init(bytes: bytes, maxDepth: maxDepth)
        skipsStructurally = checking == .readValues
        self.index = index
    }
}
