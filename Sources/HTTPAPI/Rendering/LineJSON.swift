import CanonicalJSON

/// The members an answered line has in common — an order's and a cart's — from
/// `lineTotalCents` to `title`, in the sorted order every answer has (`JSONValue.serialized()`).
/// The caller writes any member before them (`first` when there is none) and closes the object.
enum LineJSON {
    static func writeMembers(lineTotalCents: Int64, priceCents: Int64, productId: String, quantity: Int, skuId: String,
                             specs: [(name: String, value: String)], title: String, first: Bool, into out: inout BoundedWriter) {
        out.member("lineTotalCents", first: first)
        out.integer(lineTotalCents)
        out.member("priceCents")
        out.integer(priceCents)
        out.member("productId")
        out.string(productId)
        out.member("quantity")
        out.integer(Int64(quantity))
        out.member("skuId")
        out.string(skuId)
        out.member("specs")
        writeSpecs(specs, into: &out)
        out.member("title")
        out.string(title)
    }

    /// Spec names are the shop's own (often Chinese): sorted as every object's members are.
    private static func writeSpecs(_ specs: [(name: String, value: String)], into out: inout BoundedWriter) {
        out.byte(UInt8(ascii: "{"))
        for (index, spec) in specs.sorted(by: { CanonicalJSON.utf16Precedes($0.name, $1.name) }).enumerated() {
            if index > 0 { out.byte(UInt8(ascii: ",")) }
            out.string(spec.name)
            out.byte(UInt8(ascii: ":"))
            out.string(spec.value)
        }
        out.byte(UInt8(ascii: "}"))
    }
}
