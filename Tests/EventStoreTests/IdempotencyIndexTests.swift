@testable import EventStore
import Testing

/// The index's hash is random per process, so collisions are forced here with a constant one.
@Suite struct IdempotencyIndexTests {
    @Test func collidingKeysKeepEveryTime() {
        let index = IdempotencyIndex(hash: { _ in 42 })
        let (a, b, c) = (Array("user-1:a".utf8), Array("user-2:b".utf8), Array("user-3:c".utf8))
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
        index.insert(Array("user-1:a".utf8), createdAt: 100)
        #expect(index.candidates(for: Array("user-1:a".utf8)) == [100])
        #expect(index.candidates(for: Array("user-1:b".utf8)).isEmpty)
    }

    @Test func removingOneTimeOfACollisionKeepsTheOthers() {
        let index = IdempotencyIndex(hash: { _ in 7 })
        index.insert(Array("a".utf8), createdAt: 1)
        index.insert(Array("b".utf8), createdAt: 2)
        index.insert(Array("c".utf8), createdAt: 3)
        index.remove(Array("b".utf8), createdAt: 2)
        #expect(Set(index.candidates(for: Array("x".utf8))) == [1, 3])
        index.remove(Array("a".utf8), createdAt: 1)
        #expect(index.candidates(for: Array("x".utf8)) == [3])
    }
}
