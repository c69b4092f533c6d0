/// The secret key of the keyed hash ``InMemoryStateStore`` files keys under (SipHash-1-3's 128-bit key).
struct StoreHashKey: Sendable {
    let k0: UInt64
    let k1: UInt64

    /// A key drawn from the standard library's per-process random hashing seed (two outputs of `Hasher`, which is
    /// SipHash under that seed), so it is as unpredictable from outside as `hashValue` and needs no random call of
    /// its own; `SWIFT_DETERMINISTIC_HASHING` fixes it the same way.
    static func derived() -> StoreHashKey {
        var first = Hasher()
        first.combine(0x6465_6164_626f_6c74 as UInt64)  // "deadbolt"
        first.combine(0 as UInt8)
        var second = Hasher()
        second.combine(0x6465_6164_626f_6c74 as UInt64)
        second.combine(1 as UInt8)
        return StoreHashKey(
            k0: UInt64(bitPattern: Int64(first.finalize())), k1: UInt64(bitPattern: Int64(second.finalize())))
    }
}

extension StateKey {
    /// The key's 64-bit hash in ``InMemoryStateStore``: SipHash-1-3 under `key`, over the UTF-8 bytes of the
    /// namespace, the name and the scope, in that order, each zero-padded to whole 64-bit words, then one word
    /// holding the three lengths and the word count, so distinct keys feed distinct word sequences. The scope comes
    /// last so that a caller whose keys share a namespace and name (a `RateLimiter`) can absorb those once
    /// (``StoreHashPrefix``).
    ///
    /// The store computes it once per operation and uses its high half to pick the shard and its low half to probe
    /// the shard's table. Before, the shard choice (`hashValue`) and each of the dictionary's two or three lookups
    /// hashed the three strings again through `Hasher`. A keyed SipHash, not a faster unkeyed mix, because keys come
    /// from clients: with a secret key nobody can aim keys at one shard or one run of the table. Written out here
    /// rather than through `Hasher` because `Hasher`'s byte buffering made one hash of a short key cost about 45 ns
    /// (a quarter of a decision in the profile); whole words cost 4 to 6 rounds here.
    func storeHash(_ key: StoreHashKey) -> UInt64 {
        StoreHashPrefix(key, namespace: namespace, name: name).hash(scope: scope)
    }
}

/// ``StateKey/storeHash(_:)`` with the namespace and name already absorbed: `hash(scope:)` of a prefix made for a
/// key's namespace and name equals that key's `storeHash`.
struct StoreHashPrefix: Sendable {
    private let state: SipHash13
    private let namespaceLength: Int
    private let nameLength: Int

    @inline(__always)
    init(_ key: StoreHashKey, namespace: String, name: String) {
        var state = SipHash13(key)
        namespaceLength = state.absorbPadded(namespace)
        nameLength = state.absorbPadded(name)
        self.state = state
    }

    @inline(__always)
    func hash(scope: String) -> UInt64 {
        var state = state
        let scopeLength = state.absorbPadded(scope)
        // Components are at most 256 bytes, so each length fits in 16 bits and the word count in 8.
        let words = UInt64((namespaceLength + 7) / 8 + (scopeLength + 7) / 8 + (nameLength + 7) / 8 + 1)
        state.absorb(
            UInt64(namespaceLength) | UInt64(scopeLength) << 16 | UInt64(nameLength) << 32 | (words & 0xFF) << 56)
        return state.finalize()
    }
}

/// SipHash-1-3 (Aumasson and Bernstein; the variant Swift's `Hasher` runs) over whole 64-bit words.
struct SipHash13: Sendable {
    private var v0: UInt64
    private var v1: UInt64
    private var v2: UInt64
    private var v3: UInt64

    init(_ key: StoreHashKey) {
        v0 = key.k0 ^ 0x736f_6d65_7073_6575
        v1 = key.k1 ^ 0x646f_7261_6e64_6f6d
        v2 = key.k0 ^ 0x6c79_6765_6e65_7261
        v3 = key.k1 ^ 0x7465_6462_7974_6573
    }

    // Forced inline: left to itself the compiler called `round` and `absorbPadded` out of line, which the profile
    // showed as a third of the hash's time.
    @inline(__always)
    private mutating func round() {
        v0 &+= v1
        v1 = v1 << 13 | v1 >> 51
        v1 ^= v0
        v0 = v0 << 32 | v0 >> 32
        v2 &+= v3
        v3 = v3 << 16 | v3 >> 48
        v3 ^= v2
        v0 &+= v3
        v3 = v3 << 21 | v3 >> 43
        v3 ^= v0
        v2 &+= v1
        v1 = v1 << 17 | v1 >> 47
        v1 ^= v2
        v2 = v2 << 32 | v2 >> 32
    }

    /// One compression round on `word`.
    @inline(__always)
    mutating func absorb(_ word: UInt64) {
        v3 ^= word
        round()
        v0 ^= word
    }

    /// Absorbs `text`'s UTF-8 bytes as little-endian words, the last one zero-padded; returns the byte count.
    @inline(__always)
    mutating func absorbPadded(_ text: String) -> Int {
        if let count = text.utf8.withContiguousStorageIfAvailable({ absorbPadded(UnsafeRawBufferPointer($0)) }) {
            return count
        }
        return Array(text.utf8).withUnsafeBytes { absorbPadded($0) }
    }

    @inline(__always)
    private mutating func absorbPadded(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset + 8 <= bytes.count {
            absorb(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        // The last 1 to 7 bytes as one 4-, one 2- and one 1-byte load. Copying them into a zeroed word and loading
        // that instead stalled on store forwarding: half of the hash's samples in the profile.
        let remaining = bytes.count - offset
        if remaining > 0 {
            var word: UInt64 = 0
            var shift: UInt64 = 0
            if remaining & 4 != 0 {
                word = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                offset += 4
                shift = 32
            }
            if remaining & 2 != 0 {
                let pair = UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
                word |= UInt64(pair) << shift
                offset += 2
                shift += 16
            }
            if remaining & 1 != 0 {
                word |= UInt64(bytes.load(fromByteOffset: offset, as: UInt8.self)) << shift
            }
            absorb(word)
        }
        return bytes.count
    }

    /// The 64-bit output: SipHash's finalization (three rounds).
    @inline(__always)
    mutating func finalize() -> UInt64 {
        v2 ^= 0xFF
        round()
        round()
        round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}
