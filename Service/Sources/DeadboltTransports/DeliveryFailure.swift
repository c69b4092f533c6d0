/// Why a message was not delivered, as the transports report it to the outbox.
///
/// ``isPermanent`` tells the outbox whether trying again can help: a refused recipient or a gateway's 4xx answer
/// will not change, a timeout or a relay's 4xx reply may. No case carries the message, a code, a credential or the
/// destination: these failures are logged.
public enum DeliveryFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message itself cannot be sent (a header with a line break, an address this transport cannot carry).
    case invalidMessage(String)
    /// Every transport thread was busy and the queue was full.
    case queueFull
    /// The connection or the whole exchange took longer than its timeout.
    case timedOut
    /// The server could not be reached (name not resolved, connection refused).
    case unreachable(String)
    /// STARTTLS was required and the server does not offer it, or failed it (RFC 3207 §4).
    case startTLSUnavailable
    /// The TLS handshake or the server's certificate failed its checks.
    case tlsFailed(String)
    /// The SMTP server refused the configured credentials (RFC 4954 §6, reply 535).
    case authenticationRefused
    /// The SMTP server answered a command with this reply code (RFC 5321 §4.2): 4xx is temporary, 5xx is final.
    case refusedBySMTPServer(replyCode: Int)
    /// The SMS gateway answered with this HTTP status outside 2xx.
    case refusedByGateway(status: Int)
    /// The gateway's response body was longer than the bound.
    case responseTooLarge
    /// The connection broke or the server answered something that is not the protocol.
    case connectionFailed(String)
    /// Writing to the development mailbox failed with this `errno`.
    case mailboxWriteFailed(errno: Int32)

    /// Whether the same message, sent again, must fail the same way, so the outbox should stop retrying it.
    ///
    /// A 5xx SMTP reply is a permanent negative completion (RFC 5321 §4.2.1); 4xx is transient. An HTTP 4xx is
    /// final except 408 (timeout) and 429 (rate limit, RFC 6585 §4); a 5xx may pass on a later try.
    public var isPermanent: Bool {
        switch self {
        case .invalidMessage: true
        case .refusedBySMTPServer(let code): (500..<600).contains(code)
        case .refusedByGateway(let status): (400..<500).contains(status) && status != 408 && status != 429
        case .queueFull, .timedOut, .unreachable, .startTLSUnavailable, .tlsFailed, .authenticationRefused,
            .responseTooLarge, .connectionFailed, .mailboxWriteFailed:
            false
        }
    }

    public var description: String {
        switch self {
        case .invalidMessage(let reason): "the message cannot be sent: \(reason)"
        case .queueFull: "every transport thread is busy and the queue is full; try again later"
        case .timedOut: "the server did not answer within the timeout"
        case .unreachable(let detail): "the server could not be reached (\(detail))"
        case .startTLSUnavailable: "STARTTLS is required and the SMTP server did not offer or complete it"
        case .tlsFailed(let detail): "TLS failed (\(detail))"
        case .authenticationRefused: "the SMTP server refused the configured user name and password"
        case .refusedBySMTPServer(let code): "the SMTP server refused the message with reply \(code)"
        case .refusedByGateway(let status): "the SMS gateway answered HTTP \(status)"
        case .responseTooLarge: "the SMS gateway's response was longer than allowed"
        case .connectionFailed(let detail): "the connection failed (\(detail))"
        case .mailboxWriteFailed(let code): "writing to the development mailbox failed (errno \(code))"
        }
    }
}

/// A transport setting that cannot work, found when the transport is made (at the server's start), not at the first
/// message.
public enum TransportConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A number outside its allowed range.
    case outOfRange(setting: String, range: String)
    /// A text setting with a line break or another control character, which would let it inject protocol lines.
    case controlCharacter(setting: String)
    /// A text setting longer than its bound.
    case tooLong(setting: String, limit: Int)
    /// A text setting that is empty or malformed; `expected` says what would be right.
    case malformed(setting: String, expected: String)
    /// Credentials over a connection that may not be encrypted.
    case credentialsWithoutTLS
    /// Plain `http://` to a host other than a loopback address.
    case plainHTTPToRemoteHost
    /// The mailbox folder cannot be created or is not a folder; `errno` says why.
    case mailboxFolderUnusable(errno: Int32)

    public var description: String {
        switch self {
        case .outOfRange(let setting, let range): "\(setting) must be in \(range)"
        case .controlCharacter(let setting): "\(setting) must not contain a line break or another control character"
        case .tooLong(let setting, let limit): "\(setting) must be at most \(limit) bytes"
        case .malformed(let setting, let expected): "\(setting) is malformed: expected \(expected)"
        case .credentialsWithoutTLS:
            "SMTP credentials need TLS: set STARTTLS to required or use implicit TLS (smtps), so they never cross "
                + "the network in the clear"
        case .plainHTTPToRemoteHost:
            "the SMS gateway URL must use https:// (http:// is accepted only for 127.0.0.1, ::1 and localhost)"
        case .mailboxFolderUnusable(let code): "the mailbox folder cannot be created or used (errno \(code))"
        }
    }
}
