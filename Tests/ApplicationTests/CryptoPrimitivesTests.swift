import Foundation
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
    /// A prepared HMAC key gives what the one-shot `HMAC()` gives (RFC 4231's vectors, keys
    /// shorter and longer than a block, empty ones and empty messages), from many threads at
    /// once over one shared key.
    @Test func aPreparedHMACKeyAuthenticatesAsTheOneShotDoes() async throws {
        let rfc4231: [(key: [UInt8], message: [UInt8], mac: String)] = [
            ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ]
        for vector in rfc4231 {
            #expect(Hex.encode(HMACSHA256.Key(vector.key).authenticate(vector.message)) == vector.mac)
            #expect(Hex.encode(HMACSHA256.authenticate(vector.message, key: vector.key)) == vector.mac)
        }
        for keyLength in [0, 1, 32, 64, 65, 200] {
            let key = (0..<keyLength).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            let prepared = HMACSHA256.Key(key)
            for messageLength in [0, 1, 55, 64, 1000] {
                let message = (0..<messageLength).map { UInt8(truncatingIfNeeded: $0 &* 13) }
                #expect(prepared.authenticate(message) == HMACSHA256.authenticate(message, key: key), "key \(keyLength), message \(messageLength)")
            }
            #expect(prepared.authenticate("v1.令牌") == HMACSHA256.authenticate(Array("v1.令牌".utf8), key: key))
        }
        let shared = HMACSHA256.Key(Array("shared secret".utf8))
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    (0..<500).filter { i in
                        let message = Array("message \(task) \(i)".utf8)
                        return shared.authenticate(message) != HMACSHA256.authenticate(message, key: Array("shared secret".utf8))
                    }.count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

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

    /// The writer's incremental hasher, reset and reused, and the one-shot give FIPS 180-2's
    /// digests; the hasher gives the one-shot's for messages fed in pieces of every size, around
    /// the 64-byte block edges.
    @Test func theReusedIncrementalHasherDigestsAsTheOneShotDoes() {
        let hasher = SHA256.Hasher()
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        for (message, digest) in [("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
                                  ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
                                  ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                                   "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")] {
            hasher.reset()
            hasher.update(Array(message.utf8))
            #expect(hex(hasher.finalize()) == digest, "\(message)")
            #expect(hex(SHA256.hash(message)) == digest, "one-shot \(message)")
        }
        let message = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for piece in [1, 3, 55, 63, 64, 65, 128, 300] {
            hasher.reset()
            var offset = 0
            while offset < message.count {
                let end = min(message.count, offset + piece)
                hasher.update(Array(message[offset..<end]))
                hasher.update([])
                offset = end
            }
            var out = [UInt8](repeating: 0, count: SHA256.byteCount)
            hasher.finalize(into: &out)
            #expect(out == SHA256.hash(message), "pieces of \(piece)")
        }
    }

    /// Base64url as RFC 4648 §5 without padding — Foundation's base64 with the URL alphabet,
    /// padding dropped — for every length up to 100 and every byte value in every position;
    /// decoding gives the bytes back and refuses what is not base64url.
    @Test func base64URLMatchesTheRFCAlphabetWithoutPadding() {
        var seed: UInt64 = 3
        for length in 0...100 {
            let bytes = (0..<length).map { index -> UInt8 in
                seed = seed &* 6364136223846793005 &+ 1442695040888963407
                return length == 3 ? UInt8(truncatingIfNeeded: index * 85) : UInt8(truncatingIfNeeded: seed >> 56)
            }
            let expected = Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            let encoded = Base64URL.encode(bytes)
            #expect(encoded == expected, "\(bytes)")
            #expect(Base64URL.decode(encoded) == bytes, "\(encoded)")
        }
        let all = (0...255).map(UInt8.init)
        #expect(Base64URL.decode(Base64URL.encode(all)) == all)
        #expect(Base64URL.encode([0xFB, 0xFF, 0xBF]) == "-_-_")
        for bad in ["a", "abcde", "ab+c", "ab/c", "ab=c", "ab c", "ab==", "é1", "abc\u{0}"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
        #expect(Base64URL.decode("") == [])
        // One spelling per value: the last character's unused bits must be zero.
        #expect(Base64URL.decode("AA") == [0])
        #expect(Base64URL.decode("AAA") == [0, 0])
        for nonCanonical in ["AB", "AP", "AAB", "AAD", "-_-_AB"] {
            #expect(Base64URL.decode(nonCanonical) == nil, "\(nonCanonical)")
        }
    }
}
