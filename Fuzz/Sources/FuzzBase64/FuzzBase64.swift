import Deadbolt
import FuzzSupport

/// The three stored-hash base64 dialects decode strictly: text that decodes is exactly the encoding of what it
/// decodes to; any bytes round-trip in every dialect.
@main enum FuzzBase64 {
    static func main() {
        runFuzzer { bytes in
            let text = String(decoding: bytes, as: UTF8.self)
            for dialect in [Base64Dialect.phc, .passlib, .standard] {
                if let decoded = dialect.decode(text) {
                    require(dialect.encode(decoded) == text, "decoding is strict: the input is the canonical text")
                }
                require(dialect.decode(dialect.encode(bytes)) == bytes, "encode then decode gives the bytes")
            }
        }
    }
}
