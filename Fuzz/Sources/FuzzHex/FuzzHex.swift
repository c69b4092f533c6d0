import Deadbolt
import FuzzSupport

/// Hex: text that decodes re-encodes to itself (lower-cased); any bytes encode and decode back.
@main enum FuzzHex {
    static func main() {
        runFuzzer { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            let fromBytes = Hex.decode(utf8: bytes)
            require(fromBytes == Hex.decode(text), "decoding the bytes and the text agree")
            if let decoded = fromBytes {
                require(Hex.encode(decoded) == text.lowercased(), "decode then encode gives the input, lower-cased")
                require(decoded.count * 2 == bytes.count, "two characters a byte")
            }
            require(Hex.decode(Hex.encode(bytes)) == bytes, "encode then decode gives the bytes")
        }
    }
}
