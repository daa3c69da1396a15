/// Hex and base64url text forms of bytes (tokens, hashes, keys in files and headers).
public enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encodeUppercase(_ bytes: [UInt8]) -> String {
        encode(bytes).uppercased()
    }

    /// Decodes hex (either case); nil for odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let high = digitValue(utf8[i]), let low = digitValue(utf8[i + 1]) else { return nil }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    /// The value of one hex digit (either case); nil for any other byte.
    public static func digitValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

public enum Base64URL {
    private static let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for index in 0..<64 { table[Int(alphabet.utf8Start[index])] = UInt8(index) }
        return table
    }()

    /// Unpadded base64url (RFC 4648 §5), written straight into the string: every sealed value
    /// (each order's address) and token is encoded, and appending to an array character by
    /// character was a tenth of sealing an address.
    public static func encode(_ bytes: [UInt8]) -> String {
        let count = bytes.count / 3 * 4 + (bytes.count % 3 == 0 ? 0 : bytes.count % 3 + 1)
        guard count > 0 else { return "" }
        return bytes.withUnsafeBufferPointer { input in
            String(unsafeUninitializedCapacity: count) { out in
                let symbols = alphabet.utf8Start
                var i = 0
                var o = 0
                while i + 3 <= input.count {
                    let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
                    out[o] = symbols[Int(n >> 18 & 63)]
                    out[o + 1] = symbols[Int(n >> 12 & 63)]
                    out[o + 2] = symbols[Int(n >> 6 & 63)]
                    out[o + 3] = symbols[Int(n & 63)]
                    i += 3
                    o += 4
                }
                let rest = input.count - i
                if rest > 0 {
                    let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
                    out[o] = symbols[Int(n >> 18 & 63)]
                    out[o + 1] = symbols[Int(n >> 12 & 63)]
                    if rest == 2 { out[o + 2] = symbols[Int(n >> 6 & 63)] }
                }
                return count
            }
        }
    }

    /// Decodes unpadded base64url; nil on any invalid character or length, and on a last
    /// character whose unused bits are not zero (only one spelling of each value is accepted).
    public static func decode(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { utf8 -> [UInt8]? in
            guard utf8.count % 4 != 1 else { return nil }
            let count = utf8.count * 3 / 4
            var valid = true
            let out = reverse.withUnsafeBufferPointer { table in
                [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
                    var buffer: UInt32 = 0
                    var bits = 0
                    var o = 0
                    for c in utf8 {
                        let v = table[Int(c)]
                        guard v != 0xFF else {
                            valid = false
                            break
                        }
                        buffer = buffer << 6 | UInt32(v)
                        bits += 6
                        if bits >= 8 {
                            bits -= 8
                            out[o] = UInt8(truncatingIfNeeded: buffer >> UInt32(bits))
                            o += 1
                        }
                    }
                    // The last character's unused low bits must be zero (RFC 4648 §3.5): else
                    // one value would have several spellings — a token or a sealed value
                    // accepted in forms its issuer never wrote.
                    if bits > 0 && buffer & (1 << UInt32(bits) - 1) != 0 { valid = false }
                    initialized = valid ? o : 0
                }
            }
            return valid ? out : nil
        }
    }
}
