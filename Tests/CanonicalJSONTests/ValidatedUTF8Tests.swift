import Testing

@testable import CanonicalJSON

/// `String(validatedUTF8:)` must accept and reject exactly what the standard library's
/// `String(validating:as:)` does — it only answers faster.
@Suite struct ValidatedUTF8Tests {
    static func both(_ bytes: [UInt8]) -> (fast: String?, reference: String?) {
        bytes.withUnsafeBufferPointer { (String(validatedUTF8: $0), String(validating: $0, as: UTF8.self)) }
    }

    @Test func validTextComesBackUnchanged() {
        for text in ["", "a", "张三", "建国路88号", "华为智能手机 Pro", "emoji 😀 and \u{FFFD} itself", String(repeating: "手", count: 200)] {
            let bytes = Array(text.utf8)
            #expect(Self.both(bytes).fast == text)
        }
    }

    @Test func everyKindOfInvalidSequenceIsRejected() {
        let invalid: [[UInt8]] = [
            [0xFF], [0xC0, 0x80], [0xE0, 0x80, 0x80],  // not a lead byte; overlong forms
            [0xED, 0xA0, 0x80],  // a surrogate
            [0xF4, 0x90, 0x80, 0x80],  // beyond U+10FFFF
            [0x80], [0xE4, 0xB8],  // a stray continuation; a truncated sequence
            [0xF0, 0x9F, 0x98],  // a truncated four-byte sequence, as long as U+FFFD's encoding
            Array("ok".utf8) + [0xF0, 0x9F, 0x98] + Array("x".utf8),
        ]
        for bytes in invalid {
            let (fast, reference) = Self.both(bytes)
            #expect(reference == nil, "the reference accepts \(bytes)")
            #expect(fast == nil, "\(bytes)")
        }
    }

    @Test func randomBytesAgreeWithTheStandardLibrary() {
        // xorshift64 from a fixed seed; bytes drawn mostly from UTF-8's lead and continuation
        // ranges so that both valid and almost-valid sequences come up often.
        var state: UInt64 = 0xC0FFEE
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        var valid = 0
        for _ in 0..<20_000 {
            let count = Int(next() % 12)
            let bytes = (0..<count).map { _ -> UInt8 in
                let pool: [ClosedRange<UInt8>] = [0x20...0x7E, 0x80...0xBF, 0xC2...0xDF, 0xE0...0xEF, 0xF0...0xF4, 0x00...0xFF]
                let range = pool[Int(next() % UInt64(pool.count))]
                return range.lowerBound &+ UInt8(next() % UInt64(Int(range.upperBound) - Int(range.lowerBound) + 1))
            }
            let (fast, reference) = Self.both(bytes)
            #expect(fast == reference, "\(bytes)")
            if reference != nil { valid += 1 }
        }
        // Both kinds must have come up for the comparison to mean anything.
        #expect(valid > 2_000 && valid < 18_000)
    }
}
