import Domain

/// The stream ids of an order's skus, made before the order reaches the writer: there each load
/// and each append looks its id up by the line's sku id (an order has at most
/// `OrderPlacement.maxLines` lines) instead of concatenating it on the single writer. A
/// checkout's lines are the cart's, known only inside the writer, and a request with more lines
/// than an order may have is refused there: their ids are made when asked for.
struct SkuStreams: Sendable {
    private let entries: [(skuId: String, streamId: String)]

    init(_ lines: [RequestedLine]?) {
        guard let lines, lines.count <= OrderPlacement.maxLines else {
            entries = []
            return
        }
        entries = lines.map { ($0.skuId, StreamId.sku($0.skuId)) }
    }

    func id(of skuId: String) -> String {
        for index in entries.indices where entries[index].skuId == skuId { return entries[index].streamId }
        return StreamId.sku(skuId)
    }
}
