import CanonicalJSON

/// What list queries filter and sort by, per product.
public struct ProductAttributes: Codable, Sendable, Equatable {
    public var listed: Bool
    public var category: String
    /// Position of `ProductCreated`: larger is newer.
    public var createdPosition: UInt64
    public var minPriceCents: Int64
    public var sales: Int64

    /// Reads a stored document without Codable: a search reads one of these per match.
    /// Without `category` its text is stepped over (and left empty): most queries do not
    /// filter by it.
    static func decodeStored(_ bytes: UnsafeRawBufferPointer, category wantCategory: Bool = true) throws -> ProductAttributes {
        if let attributes = decodeWritten(bytes, category: wantCategory) { return attributes }
        return try decodeAnyLayout(bytes, category: wantCategory)
    }

    /// The exact bytes the document encoder writes —
    /// `{"listed":…,"category":"…","createdPosition":…,"minPriceCents":…,"sales":…}` — read by
    /// matching the fixed parts between the values: a broad search reads thousands, and walking
    /// each as general JSON was two fifths of the query. Nil for anything else (a category
    /// with escapes, another member order, a malformed value), which the general reader takes.
    static func decodeWritten(_ bytes: UnsafeRawBufferPointer, category wantCategory: Bool) -> ProductAttributes? {
        var reader = FixedLayoutReader(bytes)
        guard reader.skip(#"{"listed":"#), let listed = reader.bool(),
              reader.skip(#","category":""#), let categoryBytes = reader.plainStringBody(),
              reader.skip(#","createdPosition":"#), let created = reader.integer(), created >= 0,
              reader.skip(#","minPriceCents":"#), let minPrice = reader.integer(),
              reader.skip(#","sales":"#), let sales = reader.integer(),
              reader.skip("}"), reader.isAtEnd
        else { return nil }
        var category = ""
        if wantCategory {
            guard let text = categoryBytes.withMemoryRebound(to: UInt8.self, { String(validatedUTF8: $0) }) else { return nil }
            category = text
        }
        return ProductAttributes(listed: listed, category: category, createdPosition: UInt64(created), minPriceCents: minPrice, sales: sales)
    }

    /// Any JSON object with these members, in any order.
    static func decodeAnyLayout(_ bytes: UnsafeRawBufferPointer, category wantCategory: Bool) throws -> ProductAttributes {
        var listed: Bool?, category: String?, created: Int64?, minPrice: Int64?, sales: Int64?
        if !wantCategory { category = "" }
        try JSONParser.forEachMember(in: bytes, wanted: { wantCategory || $0 != "category" }) { name, value in
            switch name {
            case "listed": listed = value.boolValue
            case "category": category = value.stringValue
            case "createdPosition": created = value.intValue
            case "minPriceCents": minPrice = value.intValue
            case "sales": sales = value.intValue
            default: break
            }
        }
        guard let listed, let category, let created, created >= 0, let minPrice, let sales else {
            throw MalformedDocument(type: "ProductAttributes")
        }
        return ProductAttributes(listed: listed, category: category, createdPosition: UInt64(created), minPriceCents: minPrice, sales: sales)
    }
}

/// Steps through bytes of a known layout: fixed text, then a value, then fixed text… Every
/// read answers nil (or false) on anything unexpected, never guessing.
struct FixedLayoutReader {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var isAtEnd: Bool { index == bytes.count }

    /// Steps over `text` if the bytes continue with exactly it.
    mutating func skip(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard bytes.count - index >= count else { return false }
        let expected = UnsafeRawBufferPointer(start: text.utf8Start, count: count)
        for k in 0..<count where bytes[index + k] != expected[k] { return false }
        index += count
        return true
    }

    mutating func bool() -> Bool? {
        if skip("true") { return true }
        if skip("false") { return false }
        return nil
    }

    /// A JSON integer: an optional minus, then `0` or digits without a leading zero, fitting
    /// in 64 bits.
    mutating func integer() -> Int64? {
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        var i = negative ? index + 1 : index
        let digitsStart = i
        var magnitude: UInt64 = 0
        while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") {
            let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(bytes[i] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
            i += 1
        }
        let digits = i - digitsStart
        guard digits > 0, !(digits > 1 && bytes[digitsStart] == UInt8(ascii: "0")) else { return nil }
        let value: Int64
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        } else {
            guard magnitude <= UInt64(Int64.max) else { return nil }
            value = Int64(magnitude)
        }
        index = i
        return value
    }

    /// The body of a string whose opening quote was already stepped over, up to and past its
    /// closing quote; nil when it holds an escape or a control character (the general reader
    /// decodes those). Not checked as UTF-8 here.
    mutating func plainStringBody() -> UnsafeRawBufferPointer? {
        var i = index
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                let body = UnsafeRawBufferPointer(rebasing: bytes[index..<i])
                index = i + 1
                return body
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
            i += 1
        }
        return nil
    }
}
