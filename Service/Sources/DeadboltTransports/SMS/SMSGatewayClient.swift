import CCurl
import Deadbolt
import Foundation

/// Posts ``SMSMessage``s to the configured gateway through libcurl, on ``BlockingCallThreads``; the request's shape
/// is described on ``SMSGatewayConfiguration``.
public struct SMSGatewayClient: Sendable {
    /// The most response bytes read before the call is cut off.
    public static let maximumResponseLength = 64 * 1024

    /// The gateway.
    public let configuration: SMSGatewayConfiguration
    private let threads: BlockingCallThreads

    /// A client for `configuration` whose calls run on `threads`.
    public init(configuration: SMSGatewayConfiguration, threads: BlockingCallThreads) {
        self.configuration = configuration
        self.threads = threads
    }

    /// The JSON body the gateway receives, keys sorted.
    struct Body: Encodable {
        let from: String?
        let reference: String
        let text: String
        let to: String
    }

    /// Posts `message`.
    /// - Throws: ``DeliveryFailure``: ``DeliveryFailure/refusedByGateway(status:)`` for an answer outside 2xx, and
    ///   the connection failures.
    public func send(_ message: SMSMessage) async throws(DeliveryFailure) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body: [UInt8]
        do {
            body = Array(
                try encoder.encode(
                    Body(from: configuration.sender, reference: message.reference, text: message.text, to: message.to)))
        } catch {
            throw .invalidMessage("the message could not be encoded as JSON")
        }
        let headers = [
            "Content-Type: application/json",
            "Accept: application/json",
            "User-Agent: deadbolt-server",
            "Idempotency-Key: \(message.reference)",
        ]
        let configuration = configuration
        try await threads.run { () throws(DeliveryFailure) in
            let outcome = Self.post(body, headers: headers, configuration: configuration)
            try Self.check(outcome)
        }
    }

    private static func post(_ body: [UInt8], headers: [String], configuration: SMSGatewayConfiguration)
        -> dbt_curl_outcome
    {
        var outcome = dbt_curl_outcome()
        var authorization = Array("Authorization: Bearer ".utf8)
        configuration.bearerKey.withUnsafeBytes { authorization.append(contentsOf: $0) }
        let authorizationLine = SecretBytes(authorization)
        SecretBytes.wipe(&authorization)
        let copies = headers.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        guard copies.allSatisfy({ $0 != nil }) else {
            outcome.curl_code = Int32(DBT_CURLE_OUT_OF_MEMORY)
            return outcome
        }
        withWipedCString(authorizationLine) { authorization in
            var lines: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } }
            lines.append(authorization.baseAddress)
            configuration.url.withCString { url in
                withOptionalCString(configuration.caFile) { caFile in
                    lines.withUnsafeBufferPointer { lines in
                        body.withUnsafeBufferPointer { body in
                            var request = dbt_http_request()
                            request.url = url
                            request.allow_plain_http = configuration.allowsPlainHTTP ? 1 : 0
                            request.ca_file = caFile
                            request.headers = lines.baseAddress
                            request.header_count = lines.count
                            request.body = body.baseAddress
                            request.body_len = body.count
                            request.connect_timeout_ms = configuration.connectTimeoutMilliseconds
                            request.total_timeout_ms = configuration.totalTimeoutMilliseconds
                            request.max_response_bytes = Self.maximumResponseLength
                            dbt_curl_http_post(&request, &outcome)
                        }
                    }
                }
            }
        }
        return outcome
    }

    static func check(_ outcome: dbt_curl_outcome) throws(DeliveryFailure) {
        let detail = outcome.text
        switch Int(outcome.curl_code) {
        case Int(DBT_CURLE_OK):
            guard (200..<300).contains(outcome.response_code) else {
                throw .refusedByGateway(status: outcome.response_code)
            }
        case Int(DBT_CURLE_OPERATION_TIMEDOUT):
            throw .timedOut
        case Int(DBT_CURLE_COULDNT_RESOLVE_HOST), Int(DBT_CURLE_COULDNT_CONNECT):
            throw .unreachable(detail)
        case Int(DBT_CURLE_SSL_CONNECT_ERROR), Int(DBT_CURLE_PEER_FAILED_VERIFICATION),
            Int(DBT_CURLE_SSL_CERTPROBLEM), Int(DBT_CURLE_SSL_CACERT_BADFILE):
            throw .tlsFailed(detail)
        case Int(DBT_CURLE_WRITE_ERROR):
            throw .responseTooLarge
        default:
            throw .connectionFailed(detail)
        }
    }
}
