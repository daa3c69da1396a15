import Testing

@testable import Domain

@Suite struct SpecEntryTests {
    @Test func uniqueByNameKeepsWhatTheDictionaryKeepsInFirstSeenOrder() {
        let entries = [SpecEntry(name: "颜色", value: "黑"), SpecEntry(name: "版本", value: "限量"), SpecEntry(name: "颜色", value: "白"),
                       SpecEntry(name: "b", value: "")]
        let unique = SpecEntry.uniqueByName(entries)
        #expect(unique.map(\.name) == ["颜色", "版本", "b"])
        #expect(unique.map(\.value) == ["白", "限量", ""])
        #expect(Dictionary(uniqueKeysWithValues: unique.map { ($0.name, $0.value) }) == SpecEntry.dictionary(entries))
        #expect(SpecEntry.uniqueByName([]).isEmpty)
    }
}
