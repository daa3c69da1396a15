/// How the parser steps over what it does not build: values checked for syntax (or, for the
/// log's own records, only matched for brackets and quotes), objects and arrays walked member by
/// member for whoever reads them in place (`JSONObjectView`, `JSONParser.forEachMember`).
extension Parser {
    /// Steps over one value: the same syntax checks as parsing, nothing built.
    mutating func skipValue(depth: Int) throws(JSONParser.SyntaxError) {
        guard index < bytes.count else { throw error("unexpected end of input") }
        if skipsStructurally, bytes[index] == UInt8(ascii: "{") || bytes[index] == UInt8(ascii: "[") {
            return try skipContainerStructurally(depth: depth)
        }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            guard depth + 1 <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
            // Names as byte ranges: stepping over a member needs no `String` of its name.
            try walkRawMembers(depth: depth + 1) { (_, _, parser: inout Parser) throws(JSONParser.SyntaxError) in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            guard depth + 1 <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
            try walkElements { (parser: inout Parser) throws(JSONParser.SyntaxError) in try parser.skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw error("unexpected character")
        }
    }

    /// Steps over the object or array whose bracket is at `index` by matching brackets outside
    /// strings (strings stepped over as `skipString` does): what lies between is not checked.
    /// The nesting limit still holds, and running out of input is an error.
    mutating func skipContainerStructurally(depth: Int) throws(JSONParser.SyntaxError) {
        var open = 0
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                try skipString()
                continue
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                open += 1
                guard depth + open <= maxDepth else { throw error("nesting deeper than \(maxDepth)") }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                open -= 1
                if open == 0 {
                    index += 1
                    return
                }
            default:
                break
            }
            index += 1
        }
        throw error("unexpected end of input")
    }

    /// Steps over a string: escapes and control characters checked, contents not kept.
    mutating func skipString() throws(JSONParser.SyntaxError) {
        index += 1
        while true {
            index = PlainRun.end(in: bytes, from: index).end
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if byte < 0x20 { throw error("unescaped control character in string") }
            // A backslash.
            index += 1
            guard index < bytes.count else { break }
            switch bytes[index] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                index += 1
            case UInt8(ascii: "u"):
                index += 1
                _ = try parseHex4()
            default:
                throw error("invalid escape")
            }
        }
        throw error("unterminated string")
    }

    /// The object whose `{` is at `index`: each member's name, then `body` reads its value.
    mutating func walkMembers(depth: Int, _ body: (String, inout Parser) throws(JSONParser.SyntaxError) -> Void) throws(JSONParser.SyntaxError) {
        try walkRawMembers(depth: depth) { (range, decoded, parser: inout Parser) throws(JSONParser.SyntaxError) in
            // A plain ASCII name as written is valid UTF-8: no validation needed.
            guard let name = decoded ?? range.map({ String(decoding: UnsafeRawBufferPointer(rebasing: parser.bytes[$0]), as: UTF8.self) })
            else { throw parser.error("expected a member name") }
            try body(name, &parser)
        }
    }

    /// The array whose `[` is at `index`: `body` reads each element.
    mutating func walkElements(_ body: (inout Parser) throws(JSONParser.SyntaxError) -> Void) throws(JSONParser.SyntaxError) {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            guard try stepPastSeparator(closing: UInt8(ascii: "]")) else { return }
        }
    }

    /// After an array's element or an object's member: steps over the `,` before the next
    /// (true) or over `closer`, the container's end (false).
    @inline(__always)
    mutating func stepPastSeparator(closing closer: UInt8) throws(JSONParser.SyntaxError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("unexpected end of input") }
        let byte = bytes[index]
        guard byte == UInt8(ascii: ",") || byte == closer else { throw error("expected ',' or '\(Character(Unicode.Scalar(closer)))'") }
        index += 1
        return byte == UInt8(ascii: ",")
    }

    /// The object whose `{` is at `index`: each member's name, then `body` reads its value. The
    /// name comes as its byte range when it is plain ASCII without escapes (no `String` made),
    /// else decoded (`walkMembers` makes a `String` of either).
    mutating func walkRawMembers(depth: Int, _ body: (Range<Int>?, String?, inout Parser) throws(JSONParser.SyntaxError) -> Void)
        throws(JSONParser.SyntaxError)
    {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let (range, decoded) = try memberName()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            try body(range, decoded, &self)
            guard try stepPastSeparator(closing: UInt8(ascii: "}")) else { return }
        }
    }

    /// The name whose opening quote is at `index`.
    private mutating func memberName() throws(JSONParser.SyntaxError) -> (Range<Int>?, String?) {
        let start = index + 1
        let (end, ascii) = PlainRun.end(in: bytes, from: start)
        if ascii, end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            index = end + 1
            return (start..<end, nil)
        }
        return (nil, try parseString())
    }
}
