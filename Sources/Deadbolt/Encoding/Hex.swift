/// Lower-case hexadecimal, as the vector files and key files write bytes.
public enum Hex {
    /// The bytes as lower-case hexadecimal, two characters a byte.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes that `text` spells, or `nil` when it has an odd length or a character that is not a hex digit.
    /// Upper and lower case are both accepted.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(utf8: text.utf8)
    }

    /// The bytes that the UTF-8 `characters` spell, or `nil` as ``decode(_:)`` says. Reads `characters` in place
    /// and writes the result into one buffer allocated at its final size, so a secret (a pepper read from a key
    /// file) leaves no copy behind beyond the result the caller wipes; a refused input leaves none at all.
    public static func decode(utf8 characters: some Collection<UInt8>) -> [UInt8]? {
        let count = characters.count
        guard count.isMultiple(of: 2) else { return nil }
        var bytes = [UInt8](repeating: 0, count: count / 2)
        var written = 0
        var index = characters.startIndex
        while index != characters.endIndex {
            let next = characters.index(after: index)
            guard let high = value(of: characters[index]), let low = value(of: characters[next]) else {
                SecretBytes.wipe(&bytes)
                return nil
            }
            bytes[written] = high << 4 | low
            written += 1
            index = characters.index(after: next)
        }
        return bytes
    }

    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
