/// What a limit does when the state store cannot answer (a timeout, a lost connection, a full store).
public enum StoreFailureMode: Sendable, Hashable {
    /// Deny: the attempt is refused with an `unavailable` answer. The default for credential and code checks,
    /// because an attacker who can make the store fail (flood it, cut it off) must not gain unlimited guesses.
    case failClosed
    /// Allow: the attempt goes ahead unlimited. For limits whose only job is load shedding, where refusing
    /// everyone is worse than a short stretch without the limit.
    case failOpen
}

/// The purpose names that keep several policies apart in one store (`password`, `pin`, `otp-send`).
enum LimitPurpose {
    /// Checks `purpose` is 1 to 32 letters, digits, `-`, `_` or `.`; throws ``StateStoreError/invalidArgument(_:)``.
    static func check(_ purpose: String) throws {
        guard (1...32).contains(purpose.utf8.count),
            purpose.utf8.allSatisfy({ byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                    true
                default: false
                }
            })
        else { throw StateStoreError.invalidArgument("purpose must be 1 to 32 letters, digits, '-', '_' or '.'") }
    }
}
