import Domain

/// The stream ids of an order's skus, made before the order reaches the writer: there each load
/// and each append looks its id up by the line's sku id (an order has at most
/// `OrderPlacement.maxLines` lines) instead of concatenating it on the single writer. A
/// checkout's lines are the cart's, known only inside the writer, and a request with more lines
/// than an order may have is refused there: their ids are made when asked for.
struct SkuStreams: Sendable {
    private let skuIds: [String]
    private let streamIds: [String]

    init(_ lines: [RequestedLine]?) {
        guard let lines, lines.count <= OrderPlacement.maxLines else {
            skuIds = []
            streamIds = []
            return
        }
        skuIds = lines.map(\.skuId)
        streamIds = lines.map { StreamId.sku($0.skuId) }
    }

    func id(of skuId: String) -> String {
        guard let index = skuIds.firstIndex(of: skuId) else { return StreamId.sku(skuId) }
        return streamIds[index]
    }
}
