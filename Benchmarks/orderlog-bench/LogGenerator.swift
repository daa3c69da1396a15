import Application
import Domain
import EventStore
import Foundation

/// Fills a log in-process with the shopping mix (products, stock, orders, payments,
/// cancellations), fast, for the rebuild and search benchmarks.
struct LogGenerator {
    let store: EventStore
    let processor: CommandProcessor
    let vault: PersonalDataVault

    static let brands = ["华为", "小米", "苹果", "联想", "索尼", "美的", "格力", "李宁", "安踏", "海尔", "OPPO", "vivo", "Dell", "Nike", "Uniqlo"]
    static let things = ["智能手机", "蓝牙耳机", "笔记本电脑", "平板电脑", "电饭煲", "空调", "跑步鞋", "羽绒服", "冰箱", "吸尘器", "手表", "相机", "音箱", "显示器"]
    static let traits = ["Pro", "Max", "Lite", "旗舰", "轻薄", "降噪", "5G", "超长续航", "大容量", "限量版", "2026 新款"]

    static func open(directory: String) async throws -> LogGenerator {
        var configuration = EventStore.Configuration()
        configuration.sideTables = PersonalDataVault.sideTables
        let store = try EventStore(directory: directory + "/events", configuration: configuration)
        let clock = SystemClock()
        let processor = CommandProcessor(store: store, directory: AccountDirectory(store: store), clock: clock, ids: ULIDGenerator(clock: clock))
        let vault = try await PersonalDataVault(store: store, masterKey: [UInt8](repeating: 7, count: 32))
        return LogGenerator(store: store, processor: processor, vault: vault)
    }

    /// `count` products with two skus each, titles mixing Chinese and Latin words.
    func catalog(products count: Int, stock: Int64, concurrency: Int = 32) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var skus: [String] = []
                    var p = worker
                    while p < count {
                        let title = "\(Self.brands[p % Self.brands.count]) \(Self.things[(p / 3) % Self.things.count]) \(Self.traits[(p / 7) % Self.traits.count]) \(p)"
                        let definitions = ["A", "B"].map { Sku.Definition(skuId: "G\(p)-\($0)", specs: [SpecEntry(name: "版本", value: $0)],
                                                                          priceCents: Int64(100 + (p * 37) % 100_000), limitPerUser: nil) }
                        _ = try await processor.createProduct(Product.Create(
                            productId: "G\(p)", title: title, description: "描述 \(Self.traits[p % Self.traits.count])",
                            category: Self.things[(p / 3) % Self.things.count], tags: [Self.brands[p % Self.brands.count]], imageUrls: [],
                            skus: definitions, now: processor.clock.now()), metadata: processor.systemMetadata())
                        for definition in definitions where stock > 0 {
                            _ = try await processor.changeSku(skuId: definition.skuId, .restock(stock), metadata: processor.systemMetadata())
                            skus.append(definition.skuId)
                        }
                        p += concurrency
                    }
                    return skus
                }
            }
            return try await group.reduce(into: [String]()) { $0.append(contentsOf: $1) }
        }
    }

    /// Orders (half paid, a fifth cancelled) until the log holds `events` events.
    func orders(untilEvents events: UInt64, skus: [String], buyers: Int = 200, concurrency: Int = 128) async throws {
        var writes: [SideTableWrite] = []
        var keys: [(String, [UInt8])] = []
        for buyer in 0..<buyers {
            let key = try vault.newDataKey(for: "B\(buyer)")
            writes.append(key.write)
            keys.append((key.keyId, key.key))
        }
        let keyWrites = writes
        _ = try await store.submit { _ in Decision(plan: WritePlan(sideTableWrites: keyWrites), staged: { _ in }) }
        let sealedKeys = keys
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var random = SplitMix(seed: UInt64(worker + 11))
                    while try store.headPosition < events {
                        let buyer = Int(random.next() % UInt64(buyers))
                        let (keyId, key) = sealedKeys[buyer]
                        let now = processor.clock.now()
                        let address = try vault.seal(value: ShippingAddress(name: "张三", phone: "13800138000", line1: "路\(worker)号", city: "北京", postalCode: nil),
                                                     keyId: keyId, key: key)
                        let command = OrderPlacement.Command(
                            orderId: processor.ids.next(), userId: "B\(buyer)", lines: [RequestedLine(skuId: skus[Int(random.next() % UInt64(skus.count))], quantity: 1)],
                            address: address, note: nil, now: now, payBy: now.adding(seconds: 1800))
                        guard case .completed(let placed, _) = try await processor.placeOrder(command, metadata: processor.systemMetadata()) else { continue }
                        let roll = random.next() % 10
                        if roll < 5 {
                            let paymentId = processor.ids.next()
                            _ = try await processor.act(on: placed.order.orderId, .requestPayment(paymentId: paymentId, nonceStr: "n"), userId: nil,
                                                        metadata: processor.systemMetadata())
                            _ = try await processor.recordPayment(orderId: placed.order.orderId, paymentId: paymentId, transactionId: "T", amountCents: placed.order.totalCents,
                                                                  paidAt: "x", metadata: processor.systemMetadata())
                        } else if roll < 7 {
                            _ = try await processor.act(on: placed.order.orderId, .cancel, userId: nil, metadata: processor.systemMetadata())
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
