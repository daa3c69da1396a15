import CanonicalJSON

/// The members an answered line has in common — an order's and a cart's — from
/// `lineTotalCents` to `title`, in the sorted order every answer has (`JSONValue.serialized()`).
/// The caller writes any member before them (`first` when there is none) and closes the object.
enum LineJSON {
    static func writeMembers(lineTotalCents: Int64, priceCents: Int64, productId: String, quantity: Int, skuId: String,
                             specs: [(name: String, value: String)], title: String, first: Bool, into out: inout [UInt8]) {
        CanonicalJSON.member("lineTotalCents", first: first, into: &out)
        CanonicalJSON.writeInteger(lineTotalCents, into: &out)
        CanonicalJSON.member("priceCents", into: &out)
        CanonicalJSON.writeInteger(priceCents, into: &out)
        CanonicalJSON.member("productId", into: &out)
        CanonicalJSON.writeString(productId, into: &out)
        CanonicalJSON.member("quantity", into: &out)
        CanonicalJSON.writeInteger(Int64(quantity), into: &out)
        CanonicalJSON.member("skuId", into: &out)
        CanonicalJSON.writeString(skuId, into: &out)
        CanonicalJSON.member("specs", into: &out)
        writeSpecs(specs, into: &out)
        CanonicalJSON.member("title", into: &out)
        CanonicalJSON.writeString(title, into: &out)
    }

    /// Spec names are the shop's own (often Chinese): sorted as every object's members are.
    private static func writeSpecs(_ specs: [(name: String, value: String)], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (index, spec) in specs.sorted(by: { CanonicalJSON.utf16Precedes($0.name, $1.name) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(spec.name, into: &out)
            out.append(UInt8(ascii: ":"))
            CanonicalJSON.writeString(spec.value, into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
