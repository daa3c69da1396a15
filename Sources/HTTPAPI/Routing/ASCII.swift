/// Byte-level checks of ASCII text in request headers and fields.
enum ASCII {
    /// Whether `bytes` start with `prefix` (lowercase ASCII), letters in either case.
    static func hasPrefix(_ bytes: UnsafeBufferPointer<UInt8>, ignoringCase prefix: StaticString) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard bytes.count >= length else { return false }
        for index in 0..<length {
            let byte = bytes[index]
            let lowered = (0x41...0x5A).contains(byte) ? byte | 0x20 : byte
            if lowered != prefix.utf8Start[index] { return false }
        }
        return true
    }
}
