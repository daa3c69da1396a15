@testable import EventStore
import Testing

/// The index's hash is random per process, so collisions are forced here with a constant one.
@Suite struct IdempotencyIndexTests {
    @Test func collidingKeysKeepEveryTime() {
        let index = IdempotencyIndex(hash: { _ in 42 })
        let (a, b, c) = (index.key("user-1:a"), index.key("user-2:b"), index.key("user-3:c"))
        index.insert(a, createdAt: 100)
        index.insert(b, createdAt: 200)
        index.insert(c, createdAt: 100)  // same time as a: one hint serves both
        #expect(Set(index.candidates(for: a)) == [100, 200])
        #expect(index.count == 2)
        index.remove(a, createdAt: 100)
        #expect(index.candidates(for: b) == [200])
        index.remove(b, createdAt: 200)
        #expect(index.candidates(for: c).isEmpty)
        #expect(index.count == 0)
    }

    @Test func aFreshKeyHasNoCandidates() {
        let index = IdempotencyIndex()
        index.insert(index.key("user-1:a"), createdAt: 100)
        #expect(index.candidates(for: index.key("user-1:a")) == [100])
        #expect(index.candidates(for: index.key("user-1:b")).isEmpty)
    }

    @Test func removingOneTimeOfACollisionKeepsTheOthers() {
        let index = IdempotencyIndex(hash: { _ in 7 })
        index.insert(index.key("a"), createdAt: 1)
        index.insert(index.key("b"), createdAt: 2)
        index.insert(index.key("c"), createdAt: 3)
        index.remove(index.key("b"), createdAt: 2)
        #expect(Set(index.candidates(for: index.key("x"))) == [1, 3])
        index.remove(index.key("a"), createdAt: 1)
        #expect(index.candidates(for: index.key("x")) == [3])
    }
}
