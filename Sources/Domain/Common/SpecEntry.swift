/// One specification of a sku (`颜色: 黑色`).
///
/// Specs are a `{string: string}` object in the API, but events keep them as a list of pairs:
/// member names chosen by an admin would otherwise become object keys inside the hash-chained
/// record, where their canonical order depends on UTF-16 subtleties. Pairs keep every key in
/// the log fixed and ASCII.
public struct SpecEntry: Sendable, Hashable, Codable {
    public let name: String
    public let value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    /// Pairs sorted by name, from an API object.
    public static func list(from specs: [String: String]) -> [SpecEntry] {
        specs.map { SpecEntry(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
    }

    public static func dictionary(_ entries: [SpecEntry]) -> [String: String] {
        Dictionary(entries.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
    }

    /// The pairs with one per name, the last given winning — what `dictionary` keeps — in the
    /// order the names first came, without hashing: a sku has at most 20 specs (API.md), and an
    /// answered order line went through a dictionary and back only to drop repeats its events
    /// never hold (~2,000 instructions an order).
    public static func uniqueByName(_ entries: [SpecEntry]) -> [(name: String, value: String)] {
        var unique: [(name: String, value: String)] = []
        unique.reserveCapacity(entries.count)
        for entry in entries {
            if let index = unique.firstIndex(where: { $0.name == entry.name }) {
                unique[index].value = entry.value
            } else {
                unique.append((entry.name, entry.value))
            }
        }
        return unique
    }
}
