import Deadbolt

/// A bearer secret the sign-in system hands out: 256 random bits, written as 43 characters of unpadded base64url.
///
/// Whoever holds one may use it, so it travels only in a cookie, a form field or an `Authorization` header, never
/// in a URL, a log line or an error. It prints as its kind only. The database keeps its ``TokenDigest``.
public protocol BearerToken: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The token's text, to hand to the client. Treat as a secret.
    var text: String { get }
    /// Wraps text already checked to be 43 base64url characters.
    init(checkedText: String)
}

extension BearerToken {
    /// The length of a token's text: 256 bits in unpadded base64url.
    public static var textLength: Int { 43 }

    /// A new token from the CSPRNG.
    /// - Throws: ``Deadbolt/RandomError/unavailable``.
    public static func random() throws -> Self {
        var bytes = try SecureRandom.bytes(count: 32)
        defer { SecretBytes.wipe(&bytes) }
        return Self(checkedText: Base64URL.encode(bytes))
    }

    /// A token from text a client sent back; `nil` unless it is exactly 43 base64url characters (checked before
    /// anything else, so a huge or odd value costs nothing).
    public init?(text: String) {
        guard text.utf8.count == Self.textLength, Base64URL.decode(text)?.count == 32 else { return nil }
        self.init(checkedText: text)
    }

    /// Redacted: the kind of token, never its text.
    public var description: String { "\(Self.self)(redacted)" }
    /// Redacted, as ``description``.
    public var debugDescription: String { description }
}

/// The token of one step of a flow (sign-in, sign-up, Forgot PIN, …): single use, bound to the previous step, the
/// browser and the address, valid 10 minutes by default. Each step's answer carries the next one.
public struct StepToken: BearerToken {
    public let text: String
    public init(checkedText: String) { text = checkedText }
}

/// A session's token: the cookie or bearer value that proves a sign-in. Stored as a digest (SHA-256 keyed, see
/// ``TokenDigester``), never logged.
public struct SessionToken: BearerToken {
    public let text: String
    public init(checkedText: String) { text = checkedText }
}

/// A remembered device's token, set in a long-lived cookie when the person chooses "remember this device" after a
/// second factor. Stored as a digest.
public struct DeviceToken: BearerToken {
    public let text: String
    public init(checkedText: String) { text = checkedText }
}

/// RFC 4648 §5 base64url without padding, over the engine's one base64 codec.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        String(Base64Dialect.phc.encode(bytes).map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })
    }

    static func decode(_ text: String) -> [UInt8]? {
        guard !text.contains(where: { $0 == "+" || $0 == "/" }) else { return nil }
        return Base64Dialect.phc.decode(String(text.map { $0 == "-" ? "+" : $0 == "_" ? "/" : $0 }))
    }
}

/// Computes the digest a bearer token is stored and looked up under: HMAC-SHA-256 under a server key.
///
/// The issue asks for SHA-256; the engine exposes HMAC and no bare digest, and a keyed digest is at least as good
/// here (a stolen database cannot even confirm a guessed token). The key is derived from the service's code-hashing
/// secret (``SignInSecrets``), so every replica computes the same digest.
public struct TokenDigester: Sendable {
    private let key: SecretBytes

    init(key: SecretBytes) {
        self.key = key
    }

    /// The digest of `token`, under a label for its kind so that no token of one kind matches a row of another.
    public func digest(_ token: some BearerToken) throws -> TokenDigest {
        var message = Array("deadbolt.token.\(type(of: token)).".utf8) + Array(token.text.utf8)
        defer { SecretBytes.wipe(&message) }
        return TokenDigest(checked: try HMAC.authenticationCode(for: message, using: key, hash: .sha256))
    }

    /// The digest of a browser binding (``ClientContext/browserID``).
    func digest(browserID: String) throws -> TokenDigest {
        TokenDigest(checked: try HMAC.authenticationCode(for: Array("deadbolt.browser.\(browserID)".utf8), using: key, hash: .sha256))
    }
}
