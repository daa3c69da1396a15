/// A document read in place by a hand-written reader, for the documents read most (an order's
/// on every event of a rebuild; a cart and its skus on every `GET /v1/cart`): Foundation's
/// `JSONDecoder` builds a container per value. The reader must accept what the synthesized
/// `Decodable` accepts for what the encoder writes, and may refuse anything else — the decoder
/// then has the last word (`DocumentCodec.decode`). Readers read members with Domain's
/// `StoredObject`, as the log's events are read.
public protocol StoredDocumentReadable {
    static func read(stored bytes: UnsafeRawBufferPointer) throws -> Self
}
