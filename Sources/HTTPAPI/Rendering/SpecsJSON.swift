import CanonicalJSON

/// A sku's specs as answers write them: one object, names sorted as every object's members are
/// (`JSONValue.serialized()`); spec names are the shop's own, often Chinese.
enum SpecsJSON {
    static func write(_ specs: [(name: String, value: String)], into out: inout [UInt8]) {
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
