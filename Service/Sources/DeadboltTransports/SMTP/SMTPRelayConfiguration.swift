import Deadbolt

/// How the connection to the SMTP relay is protected.
public enum SMTPTLSMode: String, Sendable, CaseIterable {
    /// Plain SMTP; STARTTLS is never tried. Only for a relay on the same host or a private link; refused with
    /// credentials.
    case none
    /// STARTTLS when the relay offers it, plain otherwise (a man in the middle can strip the offer, RFC 3207 §6);
    /// refused with credentials.
    case optional
    /// STARTTLS, or no mail command is sent at all (RFC 3207 §4). The default.
    case required
    /// TLS from the first byte, usually port 465 (RFC 8314 §3.3).
    case implicit
}

/// The user name and password for SMTP AUTH (RFC 4954). The password is held as ``SecretBytes`` and never printed.
public struct SMTPCredentials: Sendable {
    /// The user name.
    public let username: String
    /// The password.
    public let password: SecretBytes

    /// - Throws: ``TransportConfigurationError`` for an empty value, a control character, a NUL or more than 256
    ///   bytes in either.
    public init(username: String, password: SecretBytes) throws(TransportConfigurationError) {
        try SettingCheck.text(username, setting: "SMTP user name", maximumLength: 256)
        guard password.count > 0 else { throw .malformed(setting: "SMTP password", expected: "a value") }
        guard password.count <= 256 else { throw .tooLong(setting: "SMTP password", limit: 256) }
        guard password.withUnsafeBytes({ !$0.contains(0) && !$0.contains(0x0d) && !$0.contains(0x0a) }) else {
            throw .controlCharacter(setting: "SMTP password")
        }
        self.username = username
        self.password = password
    }
}

/// Where and how ``SMTPTransport`` submits mail: a relay the operator runs or rents.
public struct SMTPRelayConfiguration: Sendable {
    /// The relay's host name or address (an IPv6 address in brackets).
    public let host: String
    /// The relay's port: 587 for submission with STARTTLS (RFC 6409), 465 for implicit TLS, 25 for relaying.
    public let port: Int
    /// How the connection is protected.
    public let tls: SMTPTLSMode
    /// AUTH credentials, if the relay wants them.
    public let credentials: SMTPCredentials?
    /// A PEM file of the certificate authorities to trust instead of the system's bundle (a private relay's CA).
    /// Certificates are always checked; there is no setting to turn that off.
    public let caFile: String?
    /// The name this client gives in EHLO (RFC 5321 §4.1.1.1), by default libcurl's.
    public let clientName: String?
    /// The longest wait for the connection (TCP and TLS).
    public let connectTimeout: Duration
    /// The longest wait for a whole submission.
    public let totalTimeout: Duration

    let connectTimeoutMilliseconds: Int
    let totalTimeoutMilliseconds: Int

    /// Checks every setting.
    /// - Throws: ``TransportConfigurationError``: a malformed host, a port outside 1–65535, a timeout outside
    ///   1 ms–10 min, an unreadable CA file, or credentials with a TLS mode that may send them in the clear
    ///   (``TransportConfigurationError/credentialsWithoutTLS``).
    public init(
        host: String,
        port: Int = 587,
        tls: SMTPTLSMode = .required,
        credentials: SMTPCredentials? = nil,
        caFile: String? = nil,
        clientName: String? = nil,
        connectTimeout: Duration = .seconds(10),
        totalTimeout: Duration = .seconds(30)
    ) throws(TransportConfigurationError) {
        try SettingCheck.host(host, setting: "SMTP host")
        try SettingCheck.port(port, setting: "SMTP port")
        if credentials != nil, tls == .none || tls == .optional { throw .credentialsWithoutTLS }
        if let caFile { try SettingCheck.readableFile(caFile, setting: "SMTP CA file") }
        if let clientName {
            try SettingCheck.text(clientName, setting: "SMTP client name", maximumLength: 253)
            guard MailAddress.isHostName(Array(clientName.utf8)[...]) else {
                throw .malformed(setting: "SMTP client name", expected: "a host name")
            }
        }
        connectTimeoutMilliseconds = try SettingCheck.milliseconds(connectTimeout, setting: "SMTP connect timeout")
        totalTimeoutMilliseconds = try SettingCheck.milliseconds(totalTimeout, setting: "SMTP total timeout")
        self.host = host
        self.port = port
        self.tls = tls
        self.credentials = credentials
        self.caFile = caFile
        self.clientName = clientName
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
    }
}
