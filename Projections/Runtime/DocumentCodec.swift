import Foundation

import CanonicalJSON

/// How read-model documents are stored: compact JSON, deterministic (members in declaration
/// order, dictionary keys sorted) so a rebuilt read model digests the same, readable with
/// `mdb_dump`. Written by the streaming `CompactJSONEncoder` (Foundation's encoder as the
/// fallback), read by Foundation's decoder.
public enum DocumentCodec {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Encodes with a Foundation encoder made only if the streaming one cannot.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        do {
            return try CompactJSONEncoder().encode(value)
        } catch is CompactJSONEncoder.Unsupported {
            return [UInt8](try encoder().encode(value))
        }
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer, with decoder: JSONDecoder) throws -> T {
        try decoder.decode(T.self, from: Data(bytes))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(bytes))
    }
}
