extension StateKey {
    /// The key's 64-bit hash for ``InMemoryStateStore``: SipHash-1-3 under the process's random seed (the standard
    /// library's `Hasher`), over each component's UTF-8 bytes followed by its length, so distinct keys feed distinct
    /// byte streams.
    ///
    /// The store computes it once per operation and uses its high half to pick the shard and its low half to probe
    /// the shard's table. Before, the shard choice (`hashValue`) and each of the dictionary's two or three lookups
    /// hashed the three strings again. A keyed SipHash, not a faster unkeyed mix, because keys come from clients: with
    /// a secret seed nobody can aim keys at one shard or one chain of the table.
    var storeHash: UInt64 {
        var hasher = Hasher()
        Self.combine(namespace, into: &hasher)
        Self.combine(scope, into: &hasher)
        Self.combine(name, into: &hasher)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    private static func combine(_ text: String, into hasher: inout Hasher) {
        let fed: Void? = text.utf8.withContiguousStorageIfAvailable { bytes in
            hasher.combine(bytes: UnsafeRawBufferPointer(bytes))
        }
        if fed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
        hasher.combine(text.utf8.count)
    }
}
