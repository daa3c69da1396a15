import Foundation

import CanonicalJSON

/// How read-model documents are stored: compact JSON, deterministic (members in declaration
/// order, dictionary keys sorted) so a rebuilt read model digests the same, readable with
/// `mdb_dump`. Written by the streaming `CompactJSONEncoder` (Foundation's encoder as the
/// fallback), read by a document's own reader when it has one (`StoredDocumentReadable`), else
/// by Foundation's decoder.
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
        if let value = read(T.self, bytes) { return value }
        return try decoder.decode(T.self, from: Data(bytes))
    }

    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        if let value = bytes.withUnsafeBytes({ read(T.self, $0) }) { return value }
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    }

    /// The document's own reader's answer; nil when it has none or refuses the bytes, and then
    /// the synthesized `Decodable` decides (and names what is wrong).
    private static func read<T>(_ type: T.Type, _ bytes: UnsafeRawBufferPointer) -> T? {
        guard let readable = T.self as? any StoredDocumentReadable.Type else { return nil }
        return (try? readable.read(stored: bytes)) as? T
    }
}
