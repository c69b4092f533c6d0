import Deadbolt

/// Where and how ``SMSGatewayClient`` posts text messages: a provider's HTTP API that takes a JSON body and a bearer
/// key.
///
/// The request is `POST <url>` with `Authorization: Bearer <key>`, `Content-Type: application/json`,
/// `Idempotency-Key: <reference>` and the body
///
/// ```json
/// {"from":"Deadbolt","reference":"…","text":"Your code is 123456","to":"+15551234567"}
/// ```
///
/// (`from` only when a sender is configured; keys in this order). Any 2xx answer is delivery; the response body is
/// read up to a bound and dropped. Redirects are not followed. A provider with another shape needs a small adapter
/// in front (docs/deploy.md).
public struct SMSGatewayConfiguration: Sendable {
    /// The endpoint: `https://…`, or `http://` to 127.0.0.1, [::1] or localhost only.
    public let url: String
    /// The bearer key, held as ``SecretBytes`` and never printed.
    public let bearerKey: SecretBytes
    /// The sender name or number the provider shows, if the provider takes one.
    public let sender: String?
    /// A PEM file of the certificate authorities to trust instead of the system's bundle. Certificates are always
    /// checked.
    public let caFile: String?
    /// The longest wait for the connection (TCP and TLS).
    public let connectTimeout: Duration
    /// The longest wait for the whole request and response.
    public let totalTimeout: Duration

    let connectTimeoutMilliseconds: Int
    let totalTimeoutMilliseconds: Int
    let allowsPlainHTTP: Bool

    /// Checks every setting.
    /// - Throws: ``TransportConfigurationError``: a URL that is not `https://` (or `http://` to a loopback host,
    ///   ``TransportConfigurationError/plainHTTPToRemoteHost``), a key that is not an RFC 6750 §2.1 `b64token` of
    ///   at most 4096 bytes, a sender with a control character or past 64 bytes, an unreadable CA file, or a
    ///   timeout outside 1 ms–10 min.
    public init(
        url: String,
        bearerKey: SecretBytes,
        sender: String? = nil,
        caFile: String? = nil,
        connectTimeout: Duration = .seconds(5),
        totalTimeout: Duration = .seconds(15)
    ) throws(TransportConfigurationError) {
        try SettingCheck.text(url, setting: "SMS gateway URL", maximumLength: 2048)
        guard !url.contains(" ") else { throw .malformed(setting: "SMS gateway URL", expected: "no spaces") }
        let lowered = url.lowercased()
        if lowered.hasPrefix("https://") {
            allowsPlainHTTP = false
        } else if lowered.hasPrefix("http://") {
            let rest = lowered.dropFirst("http://".count)
            let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            let host = authority.hasPrefix("[") ? String(authority.prefix { $0 != "]" }) + "]"
                : String(authority.prefix { $0 != ":" })
            guard ["127.0.0.1", "[::1]", "localhost"].contains(host) else { throw .plainHTTPToRemoteHost }
            allowsPlainHTTP = true
        } else {
            throw .malformed(setting: "SMS gateway URL", expected: "an https:// URL")
        }
        guard bearerKey.count > 0 else { throw .malformed(setting: "SMS gateway key", expected: "a value") }
        guard bearerKey.count <= 4096 else { throw .tooLong(setting: "SMS gateway key", limit: 4096) }
        guard bearerKey.withUnsafeBytes(Self.isBearerToken) else {
            throw .malformed(setting: "SMS gateway key", expected: "letters, digits and -._~+/ then any = (RFC 6750)")
        }
        if let sender { try SettingCheck.text(sender, setting: "SMS sender", maximumLength: 64) }
        if let caFile { try SettingCheck.readableFile(caFile, setting: "SMS gateway CA file") }
        connectTimeoutMilliseconds = try SettingCheck.milliseconds(connectTimeout, setting: "SMS connect timeout")
        totalTimeoutMilliseconds = try SettingCheck.milliseconds(totalTimeout, setting: "SMS total timeout")
        self.url = url
        self.bearerKey = bearerKey
        self.sender = sender
        self.caFile = caFile
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }

    /// RFC 6750 §2.1 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
    private static func isBearerToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var seenPadding = false
        var seenCharacter = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "="):
                seenPadding = true
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if seenPadding { return false }
                seenCharacter = true
            default:
                return false
            }
        }
        return seenCharacter
    }
}
