import CanonicalJSON

// A hand-written reader of a stored cart (the read models' cart document body), in place from
// its bytes: `GET /v1/cart` reads one per request, and Foundation's `JSONDecoder` made the cart
// and its catalog documents two thirds of that request. It accepts what the synthesized
// `Decodable` accepts for what the encoder writes; callers fall back to the synthesized form for
// anything it refuses (StoredDocumentReadingTests compare the two).

extension Cart.State {
    /// Reads the state the read models stored (`object` is that object).
    public init(stored object: StoredObject) throws(StoredShapeError) {
        self.init()
        lines = try object.objects("lines") { (line) throws(StoredShapeError) in
            Cart.Line(skuId: try line.string("skuId"), quantity: try line.int("quantity"))
        }
    }
}
