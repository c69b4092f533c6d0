import Deadbolt
import FuzzSupport

/// Base32 (RFC 4648 §6): text that decodes re-encodes canonically to the same bytes, and the canonical text equals the
/// input once case, spaces, hyphens and padding are normalised; any bytes round-trip, padded or not.
@main enum FuzzBase32 {
    static func main() {
        runFuzzer { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            if let decoded = Base32.decode(text) {
                let canonical = Base32.encode(decoded)
                require(Base32.decode(canonical) == decoded, "canonical text decodes to the same bytes")
                require(Base32.decode(Base32.encode(decoded, padded: true)) == decoded, "padded text too")
                let normalised = String(
                    decoding: text.uppercased().utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "=") },
                    as: UTF8.self)
                require(normalised == canonical, "the input is the canonical text up to case, separators and padding")
            }
            require(Base32.decode(Base32.encode(bytes)) == bytes, "encode then decode gives the bytes")
            require(Base32.decode(Base32.encode(bytes, padded: true)) == bytes, "padded encode then decode too")
        }
    }
}
