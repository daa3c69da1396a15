import Application
import CanonicalJSON
import Domain
import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Projections

/// Reads fields out of a JSON request body with API.md's error rules: a wrong JSON type
/// (including `1.5` or `1e308` where an integer is expected) is 400 `BAD_REQUEST`; a missing
/// or null required field, or a value out of range, is 422 `VALIDATION_FAILED` with every
/// offending field listed. `finish()` throws whichever applies, 400 first.
///
/// Field names for errors (`items[0].skuId`) are put together only when an error names one: a
/// body that is read without fault builds none.
struct BodyReader {
    let members: [OrderedJSON.Member]
    /// Where this reader's object sits in the body: nil for the body itself, else the enclosing
    /// reader's prefix, the member's name and, for an array's element, its index.
    private let location: Location?
    private(set) var typeErrors: [String] = []
    private(set) var errors: [(field: String, message: String)] = []

    init(_ body: OrderedJSON) {
        self.init(body, location: nil)
    }

    private init(_ value: OrderedJSON, location: Location?) {
        if case .object(let members) = value { self.members = members } else { self.members = [] }
        self.location = location
    }

    private typealias Location = (enclosingPrefix: String, field: String, index: Int?)

    /// What this reader's field names start with: "" for the body, `address.` or `items[0].`
    /// for a nested object.
    var prefix: String { Self.prefix(location) }

    private static func prefix(_ location: Location?) -> String {
        guard let location else { return "" }
        return location.enclosingPrefix + location.field + (location.index.map { "[\($0)]" } ?? "") + "."
    }

    private func name(_ field: String) -> String { Self.name(field, location) }

    private static func name(_ field: String, _ location: Location?) -> String { location == nil ? field : prefix(location) + field }

    /// The raw value, nil when absent or null (recording "is required" when `required`).
    private mutating func value(_ field: String, required: Bool) -> OrderedJSON? {
        guard let value = members.value(named: field), !value.isNull else {
            if required { errors.append((name(field), "is required")) }
            return nil
        }
        return value
    }

    enum Text {
        /// No control characters at all.
        case singleLine
        /// Line breaks and tabs allowed.
        case multiLine
    }

    mutating func string(_ field: String, required: Bool = true, length: ClosedRange<Int>? = nil, text: Text = .singleLine) -> String? {
        guard let value = value(field, required: required) else { return nil }
        let location = location
        return check(value, name: Self.name(field, location), length: length, text: text)
    }

    /// Validates one string value reported under `name` (built only when reported).
    private mutating func check(_ value: OrderedJSON, name: @autoclosure () -> String, length: ClosedRange<Int>?, text: Text) -> String? {
        guard case .string(let string) = value else {
            typeErrors.append("\(name()) must be a string, not \(value.typeName)")
            return nil
        }
        let (codePoints, hasControl) = Self.scan(string, text: text)
        if let length, !length.contains(codePoints) {  // code points, as JSON Schema counts
            errors.append((name(), "must be \(length.lowerBound)–\(length.upperBound) characters"))
            return nil
        }
        if hasControl {
            errors.append((name(), "must not contain control characters"))
            return nil
        }
        return string
    }

    /// A string's code points, and whether it holds a control character `text` does not allow,
    /// in one pass over its UTF-8 bytes: every byte that does not continue a sequence starts a
    /// code point, and the control characters checked (below U+0020, and U+007F) are single
    /// ASCII bytes, which never occur inside a longer sequence. (Going through
    /// `unicodeScalars` decoded each scalar twice, ~600 instructions a field.)
    static func scan(_ string: String, text: Text) -> (codePoints: Int, hasControl: Bool) {
        string.withUTF8Bytes { bytes in
            var codePoints = 0
            var hasControl = false
            for byte in bytes {
                if byte & 0xC0 != 0x80 { codePoints += 1 }
                if byte < 0x20 || byte == 0x7F {
                    let allowed = text == .multiLine && (byte == 0x09 || byte == 0x0A || byte == 0x0D)
                    if !allowed { hasControl = true }
                }
            }
            return (codePoints, hasControl)
        }
    }

    /// An admin-chosen id: `^[A-Za-z0-9_-]{1,64}$`.
    mutating func identifier(_ field: String, required: Bool = true) -> String? {
        guard let string = string(field, required: required) else { return nil }
        guard Self.isIdentifier(string) else {
            errors.append((name(field), "must match ^[A-Za-z0-9_-]{1,64}$"))
            return nil
        }
        return string
    }

    static func isIdentifier(_ string: String) -> Bool {
        (1...64).contains(string.utf8.count) && string.utf8.allSatisfy {
            $0 == 0x2D || $0 == 0x5F || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
        }
    }

    mutating func integer(_ field: String, required: Bool = true, range: ClosedRange<Int64>) -> Int64? {
        guard let value = value(field, required: required) else { return nil }
        guard case .int(let integer) = value else {
            typeErrors.append("\(name(field)) must be an integer, not \(value.typeName == "number" ? "a fraction, an exponent or beyond 64 bits" : value.typeName)")
            return nil
        }
        guard range.contains(integer) else {
            errors.append((name(field), "must be \(range.lowerBound)–\(range.upperBound)"))
            return nil
        }
        return integer
    }

    mutating func bool(_ field: String, required: Bool = true) -> Bool? {
        guard let value = value(field, required: required) else { return nil }
        guard case .bool(let flag) = value else {
            typeErrors.append("\(name(field)) must be true or false, not \(value.typeName)")
            return nil
        }
        return flag
    }

    /// Present-but-null is distinguishable here (for `limitPerUser: null`).
    func isExplicitNull(_ field: String) -> Bool {
        members.value(named: field)?.isNull == true
    }

    func has(_ field: String) -> Bool {
        members.value(named: field) != nil
    }

    mutating func array(_ field: String, required: Bool = true, count: ClosedRange<Int>? = nil) -> [OrderedJSON]? {
        guard let value = value(field, required: required) else { return nil }
        guard case .array(let elements) = value else {
            typeErrors.append("\(name(field)) must be an array, not \(value.typeName)")
            return nil
        }
        if let count, !count.contains(elements.count) {
            errors.append((name(field), "must have \(count.lowerBound)–\(count.upperBound) items"))
            return nil
        }
        return elements
    }

    /// `rule`, when given, names what is wrong with an element that passed the length and
    /// character checks (nil when nothing is).
    mutating func strings(_ field: String, required: Bool = false, count: ClosedRange<Int>, length: ClosedRange<Int>,
                          rule: ((String) -> String?)? = nil) -> [String]? {
        guard let elements = array(field, required: required, count: count) else { return nil }
        let location = location
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            let elementName = { "\(Self.name(field, location))[\(index)]" }
            guard let string = check(element, name: elementName(), length: length, text: .singleLine) else { continue }
            if let problem = rule?(string) {
                errors.append((elementName(), problem))
            } else {
                result.append(string)
            }
        }
        return result
    }

    /// Image addresses a mini-program can load: absolute `http://` or `https://` URLs with a
    /// host and no spaces. Anything else (`javascript:`, `data:`, a relative path) would reach
    /// every shopper's screen from one admin's typo or a stolen admin token.
    mutating func webURLs(_ field: String, count: ClosedRange<Int>, length: ClosedRange<Int>) -> [String]? {
        strings(field, count: count, length: length) { Self.isWebURL($0) ? nil : "must be an http:// or https:// URL with a host and no spaces" }
    }

    static func isWebURL(_ url: String) -> Bool {
        var url = url
        return url.withUTF8 { bytes in
            let schemes: [StaticString] = ["https://", "http://"]
            guard let scheme = schemes.first(where: { ASCII.hasPrefix(bytes, ignoringCase: $0) }) else { return false }
            let schemeLength = scheme.utf8CodeUnitCount
            guard schemeLength < bytes.count,
                  ![UInt8(ascii: "/"), UInt8(ascii: "?"), UInt8(ascii: "#")].contains(bytes[schemeLength]) else { return false }
            return !bytes.contains(UInt8(ascii: " "))
        }
    }

    /// A nested object, read with its own reader (errors prefixed `field.`).
    mutating func object(_ field: String, required: Bool = true) -> BodyReader? {
        guard let value = value(field, required: required) else { return nil }
        guard case .object = value else {
            typeErrors.append("\(name(field)) must be an object, not \(value.typeName)")
            return nil
        }
        return BodyReader(value, location: (prefix, field, nil))
    }

    /// An array of objects, each with its own reader (errors prefixed `field[i].`); absorb
    /// them back when done.
    mutating func objects(_ field: String, required: Bool = true, count: ClosedRange<Int>) -> [BodyReader]? {
        guard let elements = array(field, required: required, count: count) else { return nil }
        var readers: [BodyReader] = []
        readers.reserveCapacity(elements.count)
        let enclosingPrefix = prefix
        for (index, element) in elements.enumerated() {
            guard case .object = element else {
                typeErrors.append("\(name(field))[\(index)] must be an object, not \(element.typeName)")
                continue
            }
            readers.append(BodyReader(element, location: (enclosingPrefix, field, index)))
        }
        return readers
    }

    /// A `{string: string}` object.
    mutating func stringMap(_ field: String, required: Bool = true, maxEntries: Int, length: ClosedRange<Int>) -> [String: String]? {
        guard let value = value(field, required: required) else { return nil }
        guard case .object(let members) = value else {
            typeErrors.append("\(name(field)) must be an object of strings, not \(value.typeName)")
            return nil
        }
        guard members.count <= maxEntries else {
            errors.append((name(field), "may hold at most \(maxEntries) entries"))
            return nil
        }
        var result: [String: String] = [:]
        for member in members {
            let (key, entry) = (member.name, member.value)
            guard case .string(let string) = entry else {
                typeErrors.append("\(name(field)).\(key) must be a string, not \(entry.typeName)")
                continue
            }
            guard length.contains(key.unicodeScalars.count), length.contains(string.unicodeScalars.count) || string.isEmpty,
                  !key.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }), !string.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                errors.append(("\(name(field)).\(key)", "names and values must be \(length.upperBound) characters at most, without control characters"))
                continue
            }
            result[key] = string
        }
        return result
    }

    /// Takes over a nested reader's findings.
    mutating func absorb(_ nested: BodyReader) {
        typeErrors.append(contentsOf: nested.typeErrors)
        errors.append(contentsOf: nested.errors)
    }

    mutating func fail(_ field: String, _ message: String) {
        errors.append((name(field), message))
    }

    /// Throws 400 for type errors, then 422 for everything else; returns when all is well.
    func finish() throws {
        if let first = typeErrors.first { throw APIError.badRequest(typeErrors.count == 1 ? first : typeErrors.joined(separator: "; ")) }
        if !errors.isEmpty { throw APIError.validationFailed(errors) }
    }
}
