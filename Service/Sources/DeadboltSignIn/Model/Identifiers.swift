import Deadbolt

/// A point in wall-clock time, in milliseconds since the Unix epoch: what the database stores for every expiry and
/// every "when" a person reads.
///
/// Stored times are wall-clock times because they outlive a process and are compared by several replicas; the
/// short-lived limits and locks live in the ``Deadbolt/StateStore``, which measures on its own monotonic clock.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public let millisecondsSinceEpoch: Int64

    /// A timestamp `millisecondsSinceEpoch` after the Unix epoch.
    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The clock's current time.
    public init(_ clock: any WallClock) {
        millisecondsSinceEpoch = clock.millisecondsSinceEpoch()
    }

    /// This time moved by `duration` (saturating at the bounds of `Int64`).
    public func adding(_ duration: Duration) -> Timestamp {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        let total = milliseconds.overflow
            ? (seconds < 0 ? Int64.min : Int64.max)
            : milliseconds.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
                .partialValue
        let (sum, overflow) = millisecondsSinceEpoch.addingReportingOverflow(total)
        return Timestamp(millisecondsSinceEpoch: overflow ? (total < 0 ? .min : .max) : sum)
    }

    /// The time from `self` until `later` (negative when `later` is earlier).
    public func duration(until later: Timestamp) -> Duration {
        .milliseconds(later.millisecondsSinceEpoch &- millisecondsSinceEpoch)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public var description: String { "\(millisecondsSinceEpoch) ms" }
}

/// A random identifier: 128 bits from the CSPRNG as 32 lower-case hexadecimal characters.
///
/// Identifiers name rows (accounts, sessions, devices, messages); they are not secrets and may appear in logs and
/// pages. Secrets that stand for a row (a session token, a step token) are separate values, stored only as digests.
public protocol RandomIdentifier: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The identifier as stored: 32 lower-case hexadecimal characters.
    var rawValue: String { get }
    /// An identifier from its stored form; `nil` unless it is 32 lower-case hexadecimal characters.
    init?(rawValue: String)
    /// Wraps a value already checked.
    init(checked rawValue: String)
}

extension RandomIdentifier {
    /// A new identifier from the CSPRNG.
    /// - Throws: ``Deadbolt/RandomError/unavailable``.
    public static func random() throws -> Self {
        Self(checked: Hex.encode(try SecureRandom.bytes(count: 16)))
    }

    /// Whether `text` is 32 lower-case hexadecimal characters.
    static func isWellFormed(_ text: String) -> Bool {
        text.utf8.count == 32
            && text.utf8.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "f")) }
    }

    public var description: String { rawValue }
}

/// Declares the stored form of a ``RandomIdentifier``: `rawValue`, the checked initializer and `Codable` as a string.
public protocol RandomIdentifierStorage: RandomIdentifier {}

extension RandomIdentifierStorage {
    public init?(rawValue: String) {
        guard Self.isWellFormed(rawValue) else { return nil }
        self.init(checked: rawValue)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard Self.isWellFormed(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an identifier"))
        }
        self.init(checked: text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An account's identifier: random, never derived from the email, so an email change keeps it.
public struct AccountID: RandomIdentifierStorage {
    public let rawValue: String
    public init(checked rawValue: String) { self.rawValue = rawValue }
}

/// A session's public identifier, shown on the sessions page and used to end one session. Not the session token.
public struct SessionID: RandomIdentifierStorage {
    public let rawValue: String
    public init(checked rawValue: String) { self.rawValue = rawValue }
}

/// A remembered device's public identifier, shown on the devices page. Not the device token.
public struct DeviceID: RandomIdentifierStorage {
    public let rawValue: String
    public init(checked rawValue: String) { self.rawValue = rawValue }
}

/// An outbox message's identifier; a sealed message is sealed with it as associated data.
public struct MessageID: RandomIdentifierStorage {
    public let rawValue: String
    public init(checked rawValue: String) { self.rawValue = rawValue }
}

/// An account-activity entry's identifier.
public struct ActivityID: RandomIdentifierStorage {
    public let rawValue: String
    public init(checked rawValue: String) { self.rawValue = rawValue }
}

/// An enrolled authenticator's identifier (also the engine's TOTP replay-marker credential name).
public struct AuthenticatorID: RandomIdentifierStorage {
    public let rawValue: String
    public init(checked rawValue: String) { self.rawValue = rawValue }
}

/// One run of a flow (a sign-in attempt, a Forgot PIN): every step of the run carries it, and the "someone knows
/// your password" notice scheduled by the run is cancelled by it.
public struct FlowID: RandomIdentifierStorage {
    public let rawValue: String
    public init(checked rawValue: String) { self.rawValue = rawValue }
}

/// The SHA-256 digest of a bearer secret (a session token, a step token, a device token): what the database
/// stores in its place, so a dump of the database opens no session and continues no flow.
///
/// A 256-bit random token needs no slow hash: SHA-256 of it cannot be searched. Compared by value (the lookup is
/// by digest, an index search, never a comparison loop over secrets).
public struct TokenDigest: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// A digest from its 32 bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == 32 else { return nil }
        self.bytes = bytes
    }

    init(checked bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The digest as 64 lower-case hexadecimal characters: how the stores index it.
    public var hex: String { Hex.encode(bytes) }

    /// A digest from 64 hexadecimal characters; `nil` otherwise.
    public init?(hex: String) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else { return nil }
        self.bytes = bytes
    }

    /// A prefix only: enough to tell two digests apart in a log, useless to look one up.
    public var description: String { "TokenDigest(\(Hex.encode(bytes.prefix(4)))…)" }
}
