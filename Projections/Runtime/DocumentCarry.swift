/// Decoded documents carried from one batch to the next for one projection, so what every
/// batch touches — a hot sku, its product, today's sales figures, an order placed at the end
/// of the last batch and paid in this one — is not read and decoded from LMDB again each time
/// (decoding stored documents was a twelfth of a rebuild, and the hot product's document was
/// decoded once per batch in the server).
///
/// The carried documents are only as good as the transaction that wrote them: a batch takes
/// them (`checkOut`), hands its own back when its changes are flushed (`stage`), and they
/// count for the next batch only once its owner saw the transaction commit (`commit`). A batch
/// that fails or is retried never commits, so the next one starts from LMDB.
///
/// Confined to the thread that writes the read models, like the transactions it follows.
final class DocumentCarry: @unchecked Sendable {
    // @unchecked: used only by the read-model writer thread (see above).
    private var committed: [DocumentKey: any CachedDocument] = [:]
    private var staged: [DocumentKey: any CachedDocument]?
    /// Documents kept at most (more, and none are kept: the batches are not touching a few
    /// documents again and again).
    let limit: Int
    /// How many counters the last batch moved (at most `limit`): the next batch's are made that
    /// large at once, as its documents are (see `stage`).
    private(set) var counterHint = 0

    init(limit: Int = 8192) {
        self.limit = limit
    }

    /// The documents of the last committed batch; until `commit`, the carry holds nothing.
    func checkOut() -> [DocumentKey: any CachedDocument] {
        staged = nil
        defer { committed = [:] }
        return committed
    }

    /// A batch's documents, written to its transaction; kept if it commits. Only those the
    /// batch used that were there before it: a document read again batch after batch is worth
    /// keeping, the many an order flow creates once (and rarely reads in the next batch) are
    /// not worth carrying and hashing again.
    ///
    /// The kept documents are held in a dictionary with room for as many as this batch touched:
    /// the next batch adds its own to it, and grown from the few kept it doubled several times a
    /// batch, hashing every key again each time.
    func stage(_ documents: [DocumentKey: any CachedDocument], counters: Int) {
        counterHint = min(counters, limit)
        var kept = [DocumentKey: any CachedDocument](minimumCapacity: min(documents.count, limit))
        for (key, document) in documents where document.isTouched && document.isReused { kept[key] = document }
        if kept.count > limit { kept = [:] }
        for document in kept.values { document.settle() }
        staged = kept
    }

    /// The staged batch committed: its documents are what LMDB holds.
    func commit() {
        guard let staged else { return }
        committed = staged
        self.staged = nil
    }

    /// Forgets everything (the databases changed under it, e.g. a rebuilt generation).
    func discard() {
        committed = [:]
        staged = nil
    }
}
