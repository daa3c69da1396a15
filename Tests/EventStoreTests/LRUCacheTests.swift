import EventStore
import Testing

@Suite struct LRUCacheTests {
    /// A slot from `getWithSlot` replaces in place while it still holds the key, and is ignored
    /// once the slot went to another key (evicted, then reused) — never clobbering that one.
    @Test func aSlotHintIsUsedOnlyWhileItStillHoldsTheKey() throws {
        let cache = LRUCache<String, Int>(capacity: 2)
        cache.set("a", 1)
        cache.set("b", 2)
        let a = try #require(cache.getWithSlot("a"))
        #expect(a.value == 1)
        cache.set("a", 10, hint: a.slot)
        #expect(cache.get("a") == 10 && cache.count == 2)
        // b is the least recent: c takes its slot; a hint for b now points at c.
        let b = try #require(cache.getWithSlot("b"))
        _ = cache.get("a")
        cache.set("c", 3)
        #expect(cache.get("b") == nil)
        cache.set("b", 20, hint: b.slot)  // stale: inserted anew, evicting the least recent (a)
        #expect(cache.get("c") == 3 && cache.get("b") == 20 && cache.get("a") == nil && cache.count == 2)
        cache.set("z", 26, hint: -1)
        cache.set("y", 25, hint: 99)
        #expect(cache.get("z") == 26 && cache.get("y") == 25 && cache.count == 2)
    }

    @Test func forgetsTheLeastRecentlyUsedOneAtATime() {
        let cache = LRUCache<String, Int>(capacity: 3)
        cache.set("a", 1)
        cache.set("b", 2)
        cache.set("c", 3)
        #expect(cache.get("a") == 1)  // a is now the most recent; b the least
        cache.set("d", 4)
        #expect(cache.count == 3)
        #expect(cache.get("b") == nil)
        #expect(cache.get("a") == 1 && cache.get("c") == 3 && cache.get("d") == 4)
        cache.set("c", 30)  // an update moves c up, evicts nothing
        cache.set("e", 5)  // a is the least recent now
        #expect(cache.get("a") == nil)
        #expect(cache.get("c") == 30 && cache.get("d") == 4 && cache.get("e") == 5)
    }

    @Test func removedSlotsAreReusedAndOrderSurvivesChurn() {
        let cache = LRUCache<Int, Int>(capacity: 100)
        for i in 0..<100 { cache.set(i, i) }
        for i in stride(from: 0, to: 100, by: 2) { cache.remove(i) }
        #expect(cache.count == 50)
        for i in 100..<150 { cache.set(i, i) }  // refills the freed slots, evicts nothing
        #expect(cache.count == 100)
        #expect(cache.get(1) == 1 && cache.get(149) == 149)
        cache.set(3, 1003)  // an update in place: no eviction, 3 becomes the most recent
        #expect(cache.count == 100 && cache.get(3) == 1003 && cache.get(2) == nil)
        // 1 and 3 were used last among the old ones; 5 is now the least recent.
        cache.set(1000, 0)
        #expect(cache.get(5) == nil)
        #expect(cache.get(7) == 7)
        // A long run of insertions keeps exactly the newest `capacity`.
        for i in 2000..<12000 { cache.set(i, i) }
        #expect(cache.count == 100)
        #expect((11900..<12000).allSatisfy { cache.get($0) == $0 })
        #expect(cache.get(11899) == nil)
        cache.removeAll()
        #expect(cache.count == 0 && cache.get(11999) == nil)
        cache.set(1, 1)
        #expect(cache.get(1) == 1)
    }

    /// The index holds hash values: keys that share one never answer for each other; the later
    /// one takes the slot, and the count, eviction and removal stay right.
    @Test func keysSharingAHashValueNeverAnswerForEachOther() {
        let cache = LRUCache<Colliding, Int>(capacity: 3)
        cache.set(Colliding(name: "a", bucket: 1), 1)
        cache.set(Colliding(name: "b", bucket: 1), 2)
        #expect(cache.get(Colliding(name: "a", bucket: 1)) == nil)
        #expect(cache.get(Colliding(name: "b", bucket: 1)) == 2)
        #expect(cache.getWithSlot(Colliding(name: "a", bucket: 1)) == nil)
        #expect(cache.count == 1)
        cache.remove(Colliding(name: "a", bucket: 1))  // not there: b stays
        #expect(cache.get(Colliding(name: "b", bucket: 1)) == 2)
        cache.set(Colliding(name: "c", bucket: 2), 3)
        cache.set(Colliding(name: "d", bucket: 3), 4)
        cache.set(Colliding(name: "e", bucket: 4), 5)  // evicts b, the least recent
        #expect(cache.count == 3 && cache.get(Colliding(name: "b", bucket: 1)) == nil)
        cache.set(Colliding(name: "f", bucket: 1), 6)  // bucket 1 is free again: evicts c
        #expect(cache.count == 3 && cache.get(Colliding(name: "c", bucket: 2)) == nil)
        #expect(cache.get(Colliding(name: "f", bucket: 1)) == 6 && cache.get(Colliding(name: "e", bucket: 4)) == 5)
        cache.remove(Colliding(name: "f", bucket: 1))
        #expect(cache.count == 2 && cache.get(Colliding(name: "f", bucket: 1)) == nil)
        cache.removeAll(where: { $0.name == "d" })
        #expect(cache.count == 1 && cache.get(Colliding(name: "e", bucket: 4)) == 5)
    }
}

/// A key whose hash value is only its bucket, so different keys collide on purpose.
private struct Colliding: Hashable {
    let name: String
    let bucket: Int

    func hash(into hasher: inout Hasher) { hasher.combine(bucket) }
}
