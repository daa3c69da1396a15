import CanonicalJSON

// Hand-written compact forms of the catalog's documents, through a `BoundedWriter`
// (`BoundedCompactJSONRepresentable`): byte for byte what their `Encodable` gives through
// `CompactJSONEncoder` — members in encoding order, `limitPerUser` and `imageUrl` written as null
// when absent, specs with their names sorted. A product's document is written again whenever
// one of its skus' counts moves (every order, payment and cancellation), and the Codable
// machinery made that a tenth of the read-model thread in the shopping mix. DocumentBytesTests
// pins the bytes against the `Encodable` forms.

extension ProductDocument: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("productId", first: true)
        out.string(productId)
        out.member("title")
        out.string(title)
        out.member("description")
        out.string(description)
        out.member("category")
        out.string(category)
        out.member("tags")
        out.array(tags) { tag, out in out.string(tag) }
        out.member("imageUrls")
        out.array(imageUrls) { url, out in out.string(url) }
        out.member("listed")
        out.bool(listed)
        out.member("skus")
        out.array(skus) { sku, out in sku.writeCompactJSON(into: &out) }
        out.byte(UInt8(ascii: "}"))
    }

    /// Room for the usual product at the first try: a description may run to 5,000
    /// characters and a product to 50 skus.
    public func compactJSONBytes() -> [UInt8] {
        BoundedWriter.bytes(sizeHint: 512 + 2 * (title.utf8.count + description.utf8.count) + 256 * skus.count) { writeCompactJSON(into: &$0) }
    }
}

extension ProductSkuDocument: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("skuId", first: true)
        out.string(skuId)
        writeOffer(specs: specs, priceCents: priceCents, limitPerUser: limitPerUser, available: available, into: &out)
        out.member("sales")
        out.integer(sales)
        out.byte(UInt8(ascii: "}"))
    }
}

extension SkuDocument: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("skuId", first: true)
        out.string(skuId)
        out.member("productId")
        out.string(productId)
        writeOffer(specs: specs, priceCents: priceCents, limitPerUser: limitPerUser, available: available, into: &out)
        out.member("reserved")
        out.integer(reserved)
        out.member("sold")
        out.integer(sold)
        out.member("version")
        out.integer(version)
        out.byte(UInt8(ascii: "}"))
    }
}

extension ProductListItem: BoundedCompactJSONRepresentable {
    public func writeCompactJSON(into out: inout BoundedWriter) {
        out.member("productId", first: true)
        out.string(productId)
        out.member("title")
        out.string(title)
        out.member("category")
        out.string(category)
        out.member("minPriceCents")
        out.integer(minPriceCents)
        out.member("available")
        out.integer(available)
        out.member("sales")
        out.integer(sales)
        out.member("imageUrl")
        if let imageUrl { out.string(imageUrl) } else { out.literal("null") }
        out.byte(UInt8(ascii: "}"))
    }
}

/// What a sku offers, as both sku documents write it after their ids: specs, price, limit
/// (null when none) and stock on hand.
private func writeOffer(specs: [String: String], priceCents: Int64, limitPerUser: Int?, available: Int64, into out: inout BoundedWriter) {
    out.member("specs")
    writeSpecs(specs, into: &out)
    out.member("priceCents")
    out.integer(priceCents)
    out.member("limitPerUser")
    if let limitPerUser { out.integer(Int64(limitPerUser)) } else { out.literal("null") }
    out.member("available")
    out.integer(available)
}

/// Specs as `CompactJSONEncoder` writes a string-keyed dictionary: names in `String` order.
private func writeSpecs(_ specs: [String: String], into out: inout BoundedWriter) {
    out.byte(UInt8(ascii: "{"))
    for (index, spec) in specs.sorted(by: { $0.key < $1.key }).enumerated() {
        if index > 0 { out.byte(UInt8(ascii: ",")) }
        out.string(spec.key)
        out.byte(UInt8(ascii: ":"))
        out.string(spec.value)
    }
    out.byte(UInt8(ascii: "}"))
}

