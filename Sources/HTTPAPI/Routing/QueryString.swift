import CanonicalJSON
import CryptoPrimitives

/// What the router's query parsing does not check.
///
/// Hummingbird decodes a query value's percent escapes and turns bytes that are not UTF-8 into
/// U+FFFD: `q=%FF` became a search for a replacement character, which tokenizes to nothing and
/// listed every product. A request whose escapes do not spell UTF-8 is a client's mistake and
/// gets a 400 instead.
enum QueryString {
    /// Whether `raw` (the query as sent, escapes and all) is UTF-8 once its escapes are decoded.
    /// A `%` not followed by two hex digits stays as it is, as the router leaves it.
    static func decodesToUTF8(_ raw: String) -> Bool {
        var raw = raw
        return raw.withUTF8 { bytes in
            var decoded: [UInt8] = []
            decoded.reserveCapacity(bytes.count)
            var i = 0
            while i < bytes.count {
                if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count, let high = Hex.digitValue(bytes[i + 1]), let low = Hex.digitValue(bytes[i + 2]) {
                    decoded.append(high << 4 | low)
                    i += 3
                } else {
                    decoded.append(bytes[i])
                    i += 1
                }
            }
            return decoded.withUnsafeBufferPointer { String(validatedUTF8: $0) } != nil
        }
    }
}
