import Application
import Domain
import Foundation
import Projections
import TestSupport
import Testing

@Suite struct CatalogProjectionTests {
    @Test func productsSkusAndCategories() async throws {
        let world = try await World()
        try await world.product("P1", title: "华为智能手机 Pro", skus: [("S1", 399_900), ("S2", 499_900)], stock: 5)
        try await world.product("P2", title: "小米耳机", category: "耳机", skus: [("S3", 9_900)])
        _ = try await world.app.place(userId: "U1", lines: [RequestedLine(skuId: "S1", quantity: 2)])
        try await world.settle()

        let product = try #require(try world.catalog.productDocument("P1").value)
        #expect(product.listed && product.skus.map(\.skuId) == ["S1", "S2"])
        #expect(product.skus[0].available == 3 && product.skus[0].specs == ["颜色": "黑"] && product.skus[0].limitPerUser == nil)
        let sku = try #require(try world.catalog.skuDocument("S1").value)
        #expect(sku.available == 3 && sku.reserved == 2 && sku.sold == 0 && sku.version == 3)
        // limitPerUser is an explicit null in the stored answer.
        #expect(String(decoding: try #require(try world.catalog.sku("S1").value), as: UTF8.self).contains("\"limitPerUser\":null"))
        #expect(try world.catalog.categories().value.map { "\($0.category)=\($0.productCount)" } == ["手机=1", "耳机=1"])

        _ = try await world.app.processor.setListed(productId: "P2", listed: false, metadata: world.app.meta("admin"))
        try await world.settle()
        #expect(try world.catalog.categories().value.map(\.category) == ["手机"])
        let page = try world.catalog.list(CatalogQueries.ListQuery())
        #expect(page.total == 1)
        let item = try decode(ProductListItem.self, try #require(page.items.first))
        #expect(item == ProductListItem(productId: "P1", title: "华为智能手机 Pro", category: "手机", minPriceCents: 399_900, available: 8, sales: 0,
                                        imageUrl: "https://img/P1.jpg"))
        let admin = try world.catalog.list(CatalogQueries.ListQuery(includeUnlisted: true))
        #expect(admin.total == 2)
        #expect(try world.catalog.list(CatalogQueries.ListQuery(includeUnlisted: true, listed: false)).total == 1)
        await world.close()
    }

    @Test func searchFindsChineseWithoutSpacesMixedTextAndTags() async throws {
        let world = try await World()
        try await world.product("P1", title: "华为智能手机 Pro", skus: [("S1", 300)])
        try await world.product("P2", title: "苹果 iPhone 15", description: "智能手机", skus: [("S2", 500)])
        try await world.product("P3", title: "无线耳机", category: "耳机", tags: ["华为", "蓝牙"], skus: [("S3", 100)])
        try await world.product("P4", title: "手机壳", category: "配件", skus: [("S4", 50)])
        try await world.settle()

        func ids(_ query: CatalogQueries.ListQuery) throws -> [String] {
            try world.catalog.list(query).items.map { try decode(ProductListItem.self, $0).productId }
        }
        // Title hits first, then newer.
        #expect(try ids(.init(q: "手机")) == ["P4", "P1", "P2"])
        #expect(try ids(.init(q: "华为")) == ["P1", "P3"])
        #expect(try ids(.init(q: "华为 pro")) == ["P1"])
        #expect(try ids(.init(q: "IPHONE")) == ["P2"])
        #expect(try ids(.init(q: "iph")) == ["P2"])
        #expect(try ids(.init(q: "蓝牙")) == ["P3"])
        #expect(try ids(.init(q: "华为手机")).isEmpty)
        #expect(try ids(.init(q: "手机", sort: .priceAscending)) == ["P4", "P1", "P2"])
        #expect(try ids(.init(q: "手机", sort: .priceDescending)) == ["P2", "P1", "P4"])
        #expect(try ids(.init(q: "手机", category: "手机")) == ["P1", "P2"])
        let paged = try world.catalog.list(.init(q: "手机", page: 2, pageSize: 2))
        #expect(paged.total == 3 && paged.items.count == 1)
        // Without q: newest by default, and the sorts.
        #expect(try ids(.init()) == ["P4", "P3", "P2", "P1"])
        #expect(try ids(.init(sort: .priceAscending)) == ["P4", "P3", "P1", "P2"])
        #expect(try ids(.init(category: "耳机")) == ["P3"])
        await world.close()
    }

    /// A Latin prefix matches several words; a product is counted once, as a title hit if any
    /// of its matching words is in the title, and every term must still match.
    @Test func aPrefixSpanningWordsCountsAProductOnce() async throws {
        let world = try await World()
        try await world.product("P1", title: "Professional 耳机", description: "pro", skus: [("S1", 300)])
        try await world.product("P2", title: "普通 耳机", description: "prototype programmable", skus: [("S2", 200)])
        try await world.product("P3", title: "Promax 保护膜", category: "配件", description: "professional", skus: [("S3", 20)])
        try await world.settle()

        func ids(_ query: CatalogQueries.ListQuery) throws -> [String] {
            try world.catalog.list(query).items.map { try decode(ProductListItem.self, $0).productId }
        }
        #expect(try world.catalog.list(.init(q: "pro")).total == 3)
        #expect(try ids(.init(q: "pro")) == ["P3", "P1", "P2"])  // title hits (newest first), then P2
        #expect(try ids(.init(q: "pro 耳机")) == ["P1", "P2"])  // P1 hits its title with both terms
        #expect(try ids(.init(q: "prof 膜")) == ["P3"])
        #expect(try ids(.init(q: "pro", category: "配件")) == ["P3"])
        await world.close()
    }

    /// A posting key holds its token, and LMDB refuses keys over 511 bytes: a word longer than
    /// that in a description (or 200 four-byte letters in a title) stopped the search projection
    /// at that product. Words are indexed and looked up by their first 100 bytes.
    @Test func aWordTooLongForAnIndexKeyIsIndexedByItsStartAndStopsNothing() async throws {
        let world = try await World()
        let long = String(repeating: "x", count: 600)
        let wide = String(repeating: "𝐀", count: 200)  // MATHEMATICAL BOLD CAPITAL A: a letter, 4 bytes
        try await world.product("P1", title: "长词 " + wide, category: "配件", description: "see " + long + " here", skus: [("S1", 100)])
        try await world.product("P2", title: "普通手机", skus: [("S2", 100)])
        try await world.settle()

        func ids(_ q: String) throws -> [String] {
            try world.catalog.list(.init(q: q)).items.map { try decode(ProductListItem.self, $0).productId }
        }
        #expect(try ids(long) == ["P1"])
        #expect(try ids(String(repeating: "x", count: 150)) == ["P1"])
        #expect(try ids("xxxx") == ["P1"])
        #expect(try ids(wide) == ["P1"])
        #expect(try ids("手机") == ["P2"])  // the projection went on past P1
        #expect(Tokenizer.indexTokens(long) == ["w:" + String(repeating: "x", count: 100)])
        #expect(Tokenizer.indexTokens(wide) == ["w:" + String(repeating: "𝐀", count: 25)])
        await world.close()
    }

    @Test func theTokenizerSplitsScriptsAsDocumented() {
        #expect(Tokenizer.indexTokens("华为Pro 5G") == ["c:华", "c:为", "c:华为", "w:pro", "w:5g"])
        #expect(Tokenizer.queryTokens("手机") == [.exact("c:手机")])
        #expect(Tokenizer.queryTokens("机") == [.exact("c:机")])
        #expect(Tokenizer.queryTokens("Pro!") == [.prefix("w:pro")])
    }
}
