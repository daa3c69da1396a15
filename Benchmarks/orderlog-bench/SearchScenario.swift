import Application
import ArgumentParser
import EventStore
import Foundation
import Projections

/// `search`: product search in-process on a catalog of N products (read models only, no
/// HTTP): latency percentiles of a mix of Chinese, Latin and two-term queries with sorts.
struct SearchScenario: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Search latency on an N-product catalog, in-process.")

    @Option(help: "Products in the catalog.") var products = 10_000
    @Option(help: "Queries to run.") var queries = 5000
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let scratch = TemporaryDataDirectory("search")
        let progress = Progress()
        progress.show("creating \(products) products…")
        let generator = try await LogGenerator.open(directory: scratch.path)
        _ = try await generator.catalog(products: products, stock: 0)
        let readModels = try ReadModelStore(directory: scratch.path + "/readmodels", noSync: true)
        try Rebuilder.build(AllProjections.make(), into: readModels, from: generator.store)
        progress.done()
        let catalog = CatalogQueries(readModels: readModels)
        let terms = ["手机", "华为", "耳机 降噪", "pro", "智能手机 5g", "笔记本", "小米 旗舰", "max", "电饭煲", "限量", "dell", "新款", "空调 大容量", "nike 跑步鞋"]
        let sorts: [CatalogQueries.Sort?] = [nil, .priceAscending, .sales, .newest]
        var latencies = Latencies()
        var matched = 0
        let start = now()
        for i in 0..<queries {
            var query = CatalogQueries.ListQuery(q: terms[i % terms.count], sort: sorts[(i / terms.count) % sorts.count], page: 1 + i % 3)
            if i % 5 == 0 { query.category = LogGenerator.things[i % LogGenerator.things.count] }
            let began = now()
            let page = try catalog.list(query)
            latencies.record(nanoseconds: now() - began)
            matched += page.total
        }
        let seconds = Double(now() - start) / 1e9
        readModels.close()
        generator.store.close()
        var report = Report(scenario: "search", requests: UInt64(queries), ok: UInt64(queries), seconds: seconds, throughput: Double(queries) / seconds,
                            latencies: latencies)
        if matched == 0 { report.invariantFailures.append("no query matched anything") }
        report.invariantsHold = report.invariantFailures.isEmpty
        report.extra = [("products", Double(products)), ("averageMatches", Double(matched) / Double(queries))]
        report.print(json: output.json)
        if !report.invariantsHold { throw ExitCode(1) }
    }
}
