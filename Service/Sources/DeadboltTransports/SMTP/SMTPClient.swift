#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CCurl
import Deadbolt

/// Submits ``EmailMessage``s to the configured relay through libcurl, one connection a message, on
/// ``BlockingCallThreads``.
///
/// A submission succeeds only when the relay has accepted the message after DATA (reply 250, RFC 5321 §4.1.1.4);
/// every other ending is a ``DeliveryFailure`` whose ``DeliveryFailure/isPermanent`` tells the outbox whether to try
/// again.
public struct SMTPClient: Sendable {
    /// The relay.
    public let configuration: SMTPRelayConfiguration
    private let threads: BlockingCallThreads

    /// A client for `configuration` whose calls run on `threads`.
    public init(configuration: SMTPRelayConfiguration, threads: BlockingCallThreads) {
        self.configuration = configuration
        self.threads = threads
    }

    /// Submits `message` with `Date` set from `unixSeconds`; the envelope is its `From` and `To` addresses.
    /// - Throws: ``DeliveryFailure``.
    public func send(_ message: EmailMessage, unixSeconds: Int64) async throws(DeliveryFailure) {
        let bytes = message.rendered(unixSeconds: unixSeconds)
        let sender = message.from.address.text
        let recipients = message.to.map(\.address.text)
        let configuration = configuration
        try await threads.run { () throws(DeliveryFailure) in
            let outcome = Self.submit(bytes, from: sender, to: recipients, configuration: configuration)
            try Self.check(outcome)
        }
    }

    /// The blocking call: fills a request from Swift strings kept alive for its duration.
    private static func submit(
        _ message: [UInt8], from sender: String, to recipients: [String], configuration: SMTPRelayConfiguration
    ) -> dbt_curl_outcome {
        var outcome = dbt_curl_outcome()
        let recipientCopies = recipients.map { strdup($0) }
        defer { recipientCopies.forEach { free($0) } }
        guard recipientCopies.allSatisfy({ $0 != nil }) else {
            outcome.curl_code = Int32(DBT_CURLE_OUT_OF_MEMORY)
            return outcome
        }
        let recipientPointers: [UnsafePointer<CChar>?] = recipientCopies.map { $0.map { UnsafePointer($0) } }
        func perform(_ username: UnsafePointer<CChar>?, _ password: UnsafePointer<CChar>?) {
            configuration.host.withCString { host in
                sender.withCString { sender in
                    withOptionalCString(configuration.caFile) { caFile in
                        withOptionalCString(configuration.clientName) { clientName in
                            recipientPointers.withUnsafeBufferPointer { recipients in
                                message.withUnsafeBufferPointer { message in
                                    var request = dbt_smtp_request()
                                    request.host = host
                                    request.port = Int32(configuration.port)
                                    request.tls = configuration.tls.cValue
                                    request.ca_file = caFile
                                    request.username = username
                                    request.password = password
                                    request.client_name = clientName
                                    request.mail_from = sender
                                    request.recipients = recipients.baseAddress
                                    request.recipient_count = recipients.count
                                    request.message = message.baseAddress
                                    request.message_len = message.count
                                    request.connect_timeout_ms = configuration.connectTimeoutMilliseconds
                                    request.total_timeout_ms = configuration.totalTimeoutMilliseconds
                                    dbt_curl_smtp_send(&request, &outcome)
                                }
                            }
                        }
                    }
                }
            }
        }
        if let credentials = configuration.credentials {
            credentials.username.withCString { username in
                withWipedCString(credentials.password) { password in perform(username, password.baseAddress) }
            }
        } else {
            perform(nil, nil)
        }
        return outcome
    }

    /// Maps libcurl's ending to a ``DeliveryFailure``.
    static func check(_ outcome: dbt_curl_outcome) throws(DeliveryFailure) {
        let detail = outcome.text
        switch Int(outcome.curl_code) {
        case Int(DBT_CURLE_OK):
            return
        case Int(DBT_CURLE_OPERATION_TIMEDOUT):
            throw .timedOut
        case Int(DBT_CURLE_COULDNT_RESOLVE_HOST), Int(DBT_CURLE_COULDNT_CONNECT):
            throw .unreachable(detail)
        case Int(DBT_CURLE_USE_SSL_FAILED):
            throw .startTLSUnavailable
        case Int(DBT_CURLE_SSL_CONNECT_ERROR), Int(DBT_CURLE_PEER_FAILED_VERIFICATION),
            Int(DBT_CURLE_SSL_CERTPROBLEM), Int(DBT_CURLE_SSL_CACERT_BADFILE):
            throw .tlsFailed(detail)
        case Int(DBT_CURLE_LOGIN_DENIED):
            throw .authenticationRefused
        default:
            if outcome.response_code >= 400 { throw .refusedBySMTPServer(replyCode: outcome.response_code) }
            throw .connectionFailed(detail)
        }
    }
}

extension SMTPTLSMode {
    var cValue: dbt_smtp_tls {
        switch self {
        case .none: DBT_SMTP_TLS_NONE
        case .optional: DBT_SMTP_TLS_OPTIONAL
        case .required: DBT_SMTP_TLS_REQUIRED
        case .implicit: DBT_SMTP_TLS_IMPLICIT
        }
    }
}

extension dbt_curl_outcome {
    /// libcurl's message, a C array in a struct, as a String.
    var text: String {
        withUnsafeBytes(of: message) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}

/// Runs `body` with a C string for `value`, or with nil.
func withOptionalCString<Result>(_ value: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
    guard let value else { return body(nil) }
    return value.withCString { body($0) }
}
