import CryptoPrimitives
import Testing

/// The libcrypto wrappers the vault and the payment provider stand on.
@Suite struct CryptoPrimitivesTests {
    /// Pooled bytes are handed out once each, across the pool's refills and from many threads:
    /// a nonce served twice would let AES-GCM leak the XOR of two addresses.
    @Test func pooledRandomBytesAreNeverHandedOutTwice() async throws {
        let perTask = 1_000  // 12 bytes each: ~3 refills of the 4 KiB pool per task
        let nonces = try await withThrowingTaskGroup(of: [[UInt8]].self) { group in
            for _ in 0..<8 {
                group.addTask { try (0..<perTask).map { _ in try SecureRandom.pooledBytes(AESGCM.nonceByteCount) } }
            }
            var all: [[UInt8]] = []
            for try await batch in group { all += batch }
            return all
        }
        #expect(nonces.count == 8 * perTask)
        #expect(nonces.allSatisfy { $0.count == AESGCM.nonceByteCount })
        #expect(Set(nonces).count == nonces.count)
        // Larger than the pool: served straight from the generator.
        #expect(try SecureRandom.pooledBytes(5000).count == 5000)
    }

    /// The once-fetched cipher seals and opens, and rejects a changed byte or label.
    @Test func aesGCMRoundTripsAndDetectsTampering() throws {
        let key = try SecureRandom.bytes(AESGCM.keyByteCount)
        let nonce = try SecureRandom.pooledBytes(AESGCM.nonceByteCount)
        let plain = Array("北京市朝阳区建国路88号".utf8)
        let sealed = try AESGCM.seal(plain, key: key, nonce: nonce, associatedData: Array("U1/1".utf8))
        #expect(sealed.count == plain.count + AESGCM.tagByteCount)
        #expect(try AESGCM.open(sealed, key: key, nonce: nonce, associatedData: Array("U1/1".utf8)) == plain)
        var flipped = sealed
        flipped[0] ^= 1
        #expect(throws: AESGCM.Failure.self) { try AESGCM.open(flipped, key: key, nonce: nonce, associatedData: Array("U1/1".utf8)) }
        #expect(throws: AESGCM.Failure.self) { try AESGCM.open(sealed, key: key, nonce: nonce, associatedData: Array("U2/1".utf8)) }
    }
}
