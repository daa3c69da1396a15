import CanonicalJSON

// Hand-written compact forms of the catalog's documents (`CompactJSONRepresentable`): byte for
// byte what their `Encodable` gives through `CompactJSONEncoder` — members in encoding order,
// `limitPerUser` and `imageUrl` written as null when absent, specs with their names sorted.
// A product's document is written again whenever one of its skus' counts moves (every order,
// payment and cancellation), and the Codable machinery made that a tenth of the read-model
// thread in the shopping mix. DocumentBytesTests pins the bytes against the `Encodable` forms.

extension ProductDocument: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("productId", first: true, into: &out)
        CanonicalJSON.writeString(productId, into: &out)
        CanonicalJSON.member("title", into: &out)
        CanonicalJSON.writeString(title, into: &out)
        CanonicalJSON.member("description", into: &out)
        CanonicalJSON.writeString(description, into: &out)
        CanonicalJSON.member("category", into: &out)
        CanonicalJSON.writeString(category, into: &out)
        CanonicalJSON.member("tags", into: &out)
        CanonicalJSON.writeArray(tags, into: &out) { tag, out in CanonicalJSON.writeString(tag, into: &out) }
        CanonicalJSON.member("imageUrls", into: &out)
        CanonicalJSON.writeArray(imageUrls, into: &out) { url, out in CanonicalJSON.writeString(url, into: &out) }
        CanonicalJSON.member("listed", into: &out)
        CanonicalJSON.writeBool(listed, into: &out)
        CanonicalJSON.member("skus", into: &out)
        CanonicalJSON.writeArray(skus, into: &out) { sku, out in sku.writeCompactJSON(into: &out) }
        out.append(UInt8(ascii: "}"))
    }
}

extension ProductSkuDocument: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("skuId", first: true, into: &out)
        CanonicalJSON.writeString(skuId, into: &out)
        writeOffer(specs: specs, priceCents: priceCents, limitPerUser: limitPerUser, available: available, into: &out)
        CanonicalJSON.member("sales", into: &out)
        CanonicalJSON.writeInteger(sales, into: &out)
        out.append(UInt8(ascii: "}"))
    }
}

extension SkuDocument: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("skuId", first: true, into: &out)
        CanonicalJSON.writeString(skuId, into: &out)
        CanonicalJSON.member("productId", into: &out)
        CanonicalJSON.writeString(productId, into: &out)
        writeOffer(specs: specs, priceCents: priceCents, limitPerUser: limitPerUser, available: available, into: &out)
        CanonicalJSON.member("reserved", into: &out)
        CanonicalJSON.writeInteger(reserved, into: &out)
        CanonicalJSON.member("sold", into: &out)
        CanonicalJSON.writeInteger(sold, into: &out)
        CanonicalJSON.member("version", into: &out)
        out.append(contentsOf: String(version).utf8)
        out.append(UInt8(ascii: "}"))
    }
}

extension ProductListItem: CompactJSONRepresentable {
    public func writeCompactJSON(into out: inout [UInt8]) {
        CanonicalJSON.member("productId", first: true, into: &out)
        CanonicalJSON.writeString(productId, into: &out)
        CanonicalJSON.member("title", into: &out)
        CanonicalJSON.writeString(title, into: &out)
        CanonicalJSON.member("category", into: &out)
        CanonicalJSON.writeString(category, into: &out)
        CanonicalJSON.member("minPriceCents", into: &out)
        CanonicalJSON.writeInteger(minPriceCents, into: &out)
        CanonicalJSON.member("available", into: &out)
        CanonicalJSON.writeInteger(available, into: &out)
        CanonicalJSON.member("sales", into: &out)
        CanonicalJSON.writeInteger(sales, into: &out)
        CanonicalJSON.member("imageUrl", into: &out)
        if let imageUrl { CanonicalJSON.writeString(imageUrl, into: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(UInt8(ascii: "}"))
    }
}

/// What a sku offers, as both sku documents write it after their ids: specs, price, limit
/// (null when none) and stock on hand.
private func writeOffer(specs: [String: String], priceCents: Int64, limitPerUser: Int?, available: Int64, into out: inout [UInt8]) {
    CanonicalJSON.member("specs", into: &out)
    writeSpecs(specs, into: &out)
    CanonicalJSON.member("priceCents", into: &out)
    CanonicalJSON.writeInteger(priceCents, into: &out)
    CanonicalJSON.member("limitPerUser", into: &out)
    if let limitPerUser { CanonicalJSON.writeInteger(Int64(limitPerUser), into: &out) } else { out.append(contentsOf: "null".utf8) }
    CanonicalJSON.member("available", into: &out)
    CanonicalJSON.writeInteger(available, into: &out)
}

/// Specs as `CompactJSONEncoder` writes a string-keyed dictionary: names in `String` order.
private func writeSpecs(_ specs: [String: String], into out: inout [UInt8]) {
    out.append(UInt8(ascii: "{"))
    for (index, spec) in specs.sorted(by: { $0.key < $1.key }).enumerated() {
        if index > 0 { out.append(UInt8(ascii: ",")) }
        CanonicalJSON.writeString(spec.key, into: &out)
        out.append(UInt8(ascii: ":"))
        CanonicalJSON.writeString(spec.value, into: &out)
    }
    out.append(UInt8(ascii: "}"))
}

