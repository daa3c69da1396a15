/// A strict JSON parser (RFC 8259) into `JSONValue`.
///
/// Built for untrusted input: it rejects invalid UTF-8, unescaped control characters, lone
/// surrogates, trailing garbage and nesting deeper than `maxDepth` (so a hostile body cannot
/// exhaust the stack), and never traps.
public struct JSONParser {
    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        public let offset: Int
        public let reason: String
        /// Set when the only fault is an object repeating this member name (refused on request).
        public var repeatedName: String?
        public var description: String { "invalid JSON at byte \(offset): \(reason)" }
    }

    /// What an object that names a member twice means. RFC 8259 leaves it open ("names SHOULD
    /// be unique"); I-JSON (RFC 7493), which canonical JSON builds on, forbids it.
    public enum RepeatedNames: Sendable {
        /// The last value counts, as in JavaScript's `JSON.parse` (what stored data is read with;
        /// the store writes canonical JSON, which never repeats a name).
        case lastWins
        /// The document is refused: for untrusted input, where two readers could otherwise take
        /// different members for the same name.
        case refused
    }

    public static let defaultMaxDepth = 64

    public static func parse(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth, repeatedNames: RepeatedNames = .lastWins) throws(SyntaxError) -> JSONValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(SyntaxError) in try parse(buffer, maxDepth: maxDepth, repeatedNames: repeatedNames) }
        }
        return try result.get()
    }

    /// Calls `body` with each member of a top-level object in document order, without building
    /// the dictionary: for hot readers of small flat documents (names up to 15 UTF-8 bytes are
    /// Swift small strings, so nothing is allocated for them).
    public static func forEachMember(in bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth,
                                     _ body: (String, JSONValue) -> Void) throws(SyntaxError) {
        try forEachMember(in: bytes, maxDepth: maxDepth, wanted: { _ in true }, body)
    }

    /// Like `forEachMember(in:_:)`, but only the members `wanted` says yes to are built; the
    /// others are stepped over, checked for syntax but neither built nor UTF-8-validated. For
    /// readers that need a few members of large documents (projections read a stored record's
    /// data and header, never its hashes or metadata).
    public static func forEachMember(in bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth, wanted: (String) -> Bool,
                                     _ body: (String, JSONValue) -> Void) throws(SyntaxError) {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        try parser.forEachMember(wanted: wanted, body)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the JSON value") }
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer, maxDepth: Int = defaultMaxDepth,
                             repeatedNames: RepeatedNames = .lastWins) throws(SyntaxError) -> JSONValue {
        try parseWhole(bytes, maxDepth: maxDepth, repeatedNames: repeatedNames) { (parser: inout Parser) throws(SyntaxError) in
            try parser.parseValue(depth: 0)
        }
    }

    /// One value that is the whole of `bytes` (whitespace around it allowed), read by `value`.
    static func parseWhole<Value>(_ bytes: UnsafeRawBufferPointer, maxDepth: Int, repeatedNames: RepeatedNames,
                                  _ value: (inout Parser) throws(SyntaxError) -> Value) throws(SyntaxError) -> Value {
        var parser = Parser(bytes: bytes, maxDepth: maxDepth)
        parser.refusesRepeatedNames = repeatedNames == .refused
        parser.skipWhitespace()
        let parsed = try value(&parser)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.error("unexpected data after the JSON value") }
        return parsed
    }
}

struct Parser {
    let bytes: UnsafeRawBufferPointer
    let maxDepth: Int
    var index = 0
    /// Members of the objects being parsed, innermost last (see `parseObject`).
    var pending: [(String, JSONValue)] = []
    var refusesRepeatedNames = false
    /// Step over objects and arrays by their brackets alone (`JSONObjectView.Checking.readValues`).
    var skipsStructurally = false

    init(bytes: UnsafeRawBufferPointer, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func error(_ reason: String) -> JSONParser.SyntaxError {
        JSONParser.SyntaxError(offset: index, reason: reason)
    }

    /// Inlined with its first test: canonical JSON (every stored record) has no whitespace, so
    /// most calls look at one byte above 0x20 and return — the loop is for what clients send.
    @inline(__always)
    mutating func skipWhitespace() {
        guard index < bytes.count, bytes[index] <= 0x20 else { return }
        skipWhitespaceRun()
    }

    private mutating func skipWhitespaceRun() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParser.SyntaxError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character")
        }
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParser.SyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw error("unexpected end of input") }
        let start = literal.utf8Start
        for i in 0..<count where bytes[index + i] != start[i] {
            throw error("invalid literal")
        }
        index += count
    }

    mutating func forEachMember(wanted: (String) -> Bool, _ body: (String, JSONValue) -> Void) throws(JSONParser.SyntaxError) {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw error("expected an object") }
        try walkMembers(depth: 1) { (name, parser: inout Parser) throws(JSONParser.SyntaxError) in
            if wanted(name) {
                body(name, try parser.parseValue(depth: 1))
            } else {
                try parser.skipValue(depth: 1)
            }
        }
    }

    /// Members are gathered on `pending` (shared by the nested objects of one parse) and the
    /// dictionary is built once at its final size: grown one member at a time it rehashed every
    /// key at each doubling, a tenth of reading the log.
    mutating func parseObject(depth: Int) throws(JSONParser.SyntaxError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        let base = pending.count
        try walkMembers(depth: depth) { (name, parser: inout Parser) throws(JSONParser.SyntaxError) in
            let value = try parser.parseValue(depth: depth)
            parser.pending.append((name, value))
        }
        // A repeated name keeps its last value, as assigning member by member did — unless
        // repeated names are refused.
        var repeated = false
        let members = [String: JSONValue](pending[base...], uniquingKeysWith: { _, last in
            repeated = true
            return last
        })
        if repeated, refusesRepeatedNames { throw repeatedNameError(in: pending[base...]) }
        pending.removeSubrange(base...)
        return .object(members)
    }

    /// The error for an object's first repeated name.
    func repeatedNameError(in members: ArraySlice<(String, JSONValue)>) -> JSONParser.SyntaxError {
        var seen = Set<String>()
        return repeatedNameError(named: members.first { !seen.insert($0.0).inserted }?.0 ?? "")
    }

    /// The error for the repeated name `name` (quoted in the reason, shortened if long).
    func repeatedNameError(named name: String) -> JSONParser.SyntaxError {
        let shown = name.count > 64 ? name.prefix(64) + "…" : Substring(name)
        var failure = error("the member name \"\(shown)\" appears twice in one object")
        failure.repeatedName = name
        return failure
    }

    mutating func parseArray(depth: Int) throws(JSONParser.SyntaxError) -> JSONValue {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        var elements: [JSONValue] = []
        try walkElements { (parser: inout Parser) throws(JSONParser.SyntaxError) in elements.append(try parser.parseValue(depth: depth)) }
        return .array(elements)
    }

    mutating func parseNumber() throws(JSONParser.SyntaxError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        // The integer part accumulates as it is scanned (negatively, so Int64.min fits);
        // `exact` turns false once it no longer fits, and the text decides below.
        var accumulated: Int64 = 0
        var exact = true
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) {
                if exact {
                    let (shifted, o1) = accumulated.multipliedReportingOverflow(by: 10)
                    let (next, o2) = shifted.subtractingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
                    if o1 || o2 { exact = false } else { accumulated = next }
                }
                index += 1
            }
        }
        let integerEnd = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if isInteger, exact, index == integerEnd {
            if negative { return .int(accumulated) }
            if accumulated != .min { return .int(-accumulated) }
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .int(integer) }
        return .double(Double(text) ?? .infinity)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func parseString() throws(JSONParser.SyntaxError) -> String {
        index += 1  // opening quote
        let start = index
        // Fast path: no escapes.
        let (end, ascii) = PlainRun.end(in: bytes, from: start)
        index = end
        if index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                let string: String? = raw.withMemoryRebound(to: UInt8.self) { utf8 in
                    // ASCII is valid UTF-8 as it stands: skip the validation.
                    ascii ? String(decoding: utf8, as: UTF8.self) : String(validatedUTF8: utf8)
                }
                guard let string else { throw error("invalid UTF-8 in string") }
                index += 1
                return string
            }
            if byte < 0x20 { throw error("unescaped control character in string") }
        }
        var buffer = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard let string = buffer.withUnsafeBufferPointer({ String(validatedUTF8: $0) }) else { throw error("invalid UTF-8 in string") }
                index += 1
                return string
            }
            if byte < 0x20 { throw error("unescaped control character in string") }
            if byte != UInt8(ascii: "\\") {
                buffer.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { break }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): buffer.append(0x08)
            case UInt8(ascii: "f"): buffer.append(0x0C)
            case UInt8(ascii: "n"): buffer.append(0x0A)
            case UInt8(ascii: "r"): buffer.append(0x0D)
            case UInt8(ascii: "t"): buffer.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                        throw error("lone surrogate in string")
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("lone surrogate in string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("lone surrogate in string")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid escape") }
                buffer.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    mutating func parseHex4() throws(JSONParser.SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
