import FuzzSupport

@testable import Deadbolt

/// Security events as the state store returns them (`SecurityEventEncoding`, version 1): bytes that decode
/// re-encode to bytes that decode to the same event, and decoding never reads past the end.
@main enum FuzzSecurityEvent {
    static func main() {
        runFuzzer { bytes in
            guard let event = SecurityEventEncoding.decode(bytes) else { return }
            let encoded = SecurityEventEncoding.encode(event)
            require(SecurityEventEncoding.decode(encoded) == event, "an event re-encodes to one that decodes equal")
            require(SecurityEventEncoding.encode(SecurityEventEncoding.decode(encoded) ?? event) == encoded, "stable")
        }
    }
}
