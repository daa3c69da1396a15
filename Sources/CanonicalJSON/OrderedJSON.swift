/// A JSON document whose objects keep their members as a list, in document order, instead of a
/// dictionary: what request bodies are parsed into.
///
/// A body is a few small objects whose members are each read once, by name. Building a
/// `[String: JSONValue]` for each of them (hashing every name, then hashing it again to look it
/// up) cost more than scanning a handful of names does: ~24k of the ~170k instructions a request
/// handler spent on a hot-sku order went to the body's parse and reads (callgrind, 2026-11-28).
public enum OrderedJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([OrderedJSON])
    case object([Member])

    public struct Member: Sendable, Equatable {
        public let name: String
        public let value: OrderedJSON
    }

    /// The JSON type's name as a client would say it ("string", "integer", "object", …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension [OrderedJSON.Member] {
    /// The value of the member `name` — the last one if an object repeats it, as `JSONValue`'s
    /// `.lastWins` keeps (a parse that refuses repeated names never has two).
    public func value(named name: String) -> OrderedJSON? {
        var index = endIndex
        while index > startIndex {
            index -= 1
            if self[index].name == name { return self[index].value }
        }
        return nil
    }
}

extension JSONParser {
    /// Parses like `parse(_:maxDepth:repeatedNames:)`, the same checks and errors, into objects
    /// that keep their members in order.
    public static func parseOrdered(_ bytes: [UInt8], maxDepth: Int = defaultMaxDepth,
                                    repeatedNames: RepeatedNames = .lastWins) throws(SyntaxError) -> OrderedJSON {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(SyntaxError) in
                try parseWhole(buffer, maxDepth: maxDepth, repeatedNames: repeatedNames) { (parser: inout Parser) throws(SyntaxError) in
                    try parser.parseOrderedValue(depth: 0)
                }
            }
        }
        return try result.get()
    }
}

extension Parser {
    mutating func parseOrderedValue(depth: Int) throws(JSONParser.SyntaxError) -> OrderedJSON {
        guard index < bytes.count else { throw error("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseOrderedObject(depth: depth + 1)
        case UInt8(ascii: "["):
            guard depth + 1 <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
            var elements: [OrderedJSON] = []
            try walkElements { (parser: inout Parser) throws(JSONParser.SyntaxError) in elements.append(try parser.parseOrderedValue(depth: depth + 1)) }
            return .array(elements)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            switch try parseNumber() {
            case .int(let integer): return .int(integer)
            case .double(let number): return .double(number)
            default: throw error("invalid number")
            }
        default: throw error("unexpected character")
        }
    }

    private mutating func parseOrderedObject(depth: Int) throws(JSONParser.SyntaxError) -> OrderedJSON {
        guard depth <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
        var members: [OrderedJSON.Member] = []
        try walkMembers(depth: depth) { (name, parser: inout Parser) throws(JSONParser.SyntaxError) in
            members.append(OrderedJSON.Member(name: name, value: try parser.parseOrderedValue(depth: depth)))
        }
        if refusesRepeatedNames, let repeated = Self.firstRepeatedName(in: members) {
            throw repeatedNameError(named: repeated)
        }
        return .object(members)
    }

    /// The first name that an earlier member already had: by comparing pairs for the small
    /// objects bodies are made of, by hashing for a large one.
    private static func firstRepeatedName(in members: [OrderedJSON.Member]) -> String? {
        if members.count <= 16 {
            for index in members.indices where members[..<index].contains(where: { $0.name == members[index].name }) {
                return members[index].name
            }
            return nil
        }
        var seen = Set<String>()
        return members.first { !seen.insert($0.name).inserted }?.name
    }
}
