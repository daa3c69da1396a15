import CanonicalJSON
@testable import Projections
import Testing

/// A search reads one stored `ProductAttributes` per match through a fixed-layout reader; it
/// must take exactly what the document encoder writes, and hand everything else to the
/// general reader, which decides.
@Suite struct ProductAttributesTests {
    static let samples = [
        ProductAttributes(listed: true, category: "手机", createdPosition: 12, minPriceCents: 399_900, sales: 0),
        ProductAttributes(listed: false, category: "", createdPosition: 0, minPriceCents: -5, sales: Int64.max),
        ProductAttributes(listed: true, category: "Laptops & \"Pro\"\n", createdPosition: UInt64(Int64.max), minPriceCents: Int64.min, sales: 7),
    ]

    @Test func whatTheEncoderWritesReadsBackTheSameEitherWay() throws {
        for attributes in Self.samples {
            let bytes = try DocumentCodec.encode(attributes)
            let (read, general, withoutCategory) = try bytes.withUnsafeBytes { stored in
                (try ProductAttributes.decodeStored(stored), try ProductAttributes.decodeAnyLayout(stored, category: true),
                 try ProductAttributes.decodeStored(stored, category: false))
            }
            var expectedWithoutCategory = attributes
            expectedWithoutCategory.category = ""
            #expect(read == attributes && general == attributes && withoutCategory == expectedWithoutCategory)
        }
        // A category without escapes takes the fixed-layout path (the one searches depend on).
        let plain = try DocumentCodec.encode(Self.samples[0])
        #expect(plain.withUnsafeBytes { ProductAttributes.decodeWritten($0, category: true) } == Self.samples[0])
    }

    @Test func otherLayoutsGoToTheGeneralReaderAndMalformedOnesFail() throws {
        let reordered = #"{"sales":3,"minPriceCents":100,"createdPosition":9,"category":"书","listed":false}"#
        let spaced = #"{ "listed": true, "category": "书", "createdPosition": 9, "minPriceCents": 100, "sales": 3 }"#
        for text in [reordered, spaced] {
            let attributes = try Array(text.utf8).withUnsafeBytes { stored in
                #expect(ProductAttributes.decodeWritten(stored, category: true) == nil)
                return try ProductAttributes.decodeStored(stored)
            }
            #expect(attributes.category == "书" && attributes.createdPosition == 9 && attributes.minPriceCents == 100 && attributes.sales == 3)
        }
        let malformed = [
            #"{"listed":true,"category":"书","createdPosition":09,"minPriceCents":100,"sales":3}"#,  // leading zero
            #"{"listed":true,"category":"书","createdPosition":-1,"minPriceCents":100,"sales":3}"#,  // negative position
            #"{"listed":true,"category":"书","createdPosition":9,"minPriceCents":1.5,"sales":3}"#,  // not an integer
            #"{"listed":true,"category":"书","createdPosition":9,"minPriceCents":100,"sales":99999999999999999999}"#,  // overflow
            #"{"listed":true,"category":"书","createdPosition":9,"minPriceCents":100,"sales":3}x"#,  // trailing bytes
            #"{"listed":true,"category":"书","createdPosition":9,"minPriceCents":100}"#,  // a member missing
            #"{"listed":1,"category":"书","createdPosition":9,"minPriceCents":100,"sales":3}"#,  // mistyped
            #"{"listed":true,"category":"书","createdPosition":9,"minPriceCents":-,"sales":3}"#,  // a lone minus
        ]
        for text in malformed {
            Array(text.utf8).withUnsafeBytes { stored in
                #expect(ProductAttributes.decodeWritten(stored, category: true) == nil, "\(text)")
                #expect(throws: (any Error).self, "\(text)") { try ProductAttributes.decodeStored(stored) }
            }
        }
        // Invalid UTF-8 in the category: refused by both when the category is read.
        var invalid = Array(#"{"listed":true,"category":"x","createdPosition":9,"minPriceCents":100,"sales":3}"#.utf8)
        let x = try #require(invalid.firstIndex(of: UInt8(ascii: "x")))
        invalid[x] = 0xFF
        invalid.withUnsafeBytes { stored in
            #expect(ProductAttributes.decodeWritten(stored, category: true) == nil)
            #expect(throws: (any Error).self) { try ProductAttributes.decodeStored(stored) }
        }
        // Extremes of the integers are read exactly.
        let extremes = #"{"listed":false,"category":"c","createdPosition":9223372036854775807,"minPriceCents":-9223372036854775808,"sales":0}"#
        let read = Array(extremes.utf8).withUnsafeBytes { ProductAttributes.decodeWritten($0, category: true) }
        #expect(read == ProductAttributes(listed: false, category: "c", createdPosition: UInt64(Int64.max), minPriceCents: Int64.min, sales: 0))
    }
}
