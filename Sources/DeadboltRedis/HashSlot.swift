/// The Redis Cluster hash slot of a key: CRC16 (the XMODEM variant: polynomial 0x1021, initial value 0, no
/// reflection) of the key's hash tag, modulo 16384, as the Redis Cluster specification defines it.
///
/// The hash tag is the part between the first `{` and the first `}` after it, when that part is non-empty;
/// otherwise the whole key. Deadbolt keys are `deadbolt:{scope}:...`, so every key of one scope shares a slot.
enum HashSlot {
    /// The number of slots in a Redis Cluster.
    static let count = 16384

    /// The slot of `key`.
    static func of(_ key: some Collection<UInt8>) -> Int {
        Int(crc16(hashTag(key)) % UInt16(count))
    }

    /// The bytes a key hashes on (specification section "Hash tags").
    static func hashTag<Key: Collection<UInt8>>(_ key: Key) -> Key.SubSequence {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return key[...] }
        let afterOpen = key.index(after: open)
        guard let close = key[afterOpen...].firstIndex(of: UInt8(ascii: "}")), close != afterOpen else {
            return key[...]
        }
        return key[afterOpen..<close]
    }

    /// CRC16-XMODEM, bitwise: keys are short (under 600 bytes), so a table buys nothing measurable next to a
    /// network round trip.
    static func crc16(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 {
                crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1
            }
        }
        return crc
    }
}
