import Deadbolt
import Foundation
import Testing

@testable import DeadboltTransports

/// Requests to a local stand-in for an SMS provider (scripts/delivery-test-servers) on 127.0.0.1, read back from
/// the spool it writes.
@Suite("SMSGatewayClient", .enabled(if: DeliveryTestServers.available), .serialized)
struct SMSGatewayClientTests {
    let threads: BlockingCallThreads

    init() throws {
        if DeliveryTestServers.required, !DeliveryTestServers.running {
            Issue.record("the delivery test servers are not running, and DEADBOLT_REQUIRE_DELIVERY=1")
        }
        threads = try BlockingCallThreads(threadCount: 2)
    }

    func client(path: String = "/messages", https: Bool = true, key: String? = nil, sender: String? = "Deadbolt",
                totalTimeout: Duration = .seconds(10)) throws -> SMSGatewayClient {
        let url = https ? "https://127.0.0.1:\(DeliveryTestServers.httpsPort)\(path)"
            : "http://127.0.0.1:\(DeliveryTestServers.httpPort)\(path)"
        return SMSGatewayClient(
            configuration: try SMSGatewayConfiguration(
                url: url, bearerKey: SecretBytes(utf8: key ?? DeliveryTestServers.file("gateway-key")), sender: sender,
                caFile: DeliveryTestServers.caFile, connectTimeout: .seconds(5), totalTimeout: totalTimeout),
            threads: threads)
    }

    func message(text: String = "Deadbolt: your code is 123456. It expires in 10 minutes.") throws -> SMSMessage {
        try SMSMessage(to: "+15551234567", text: text, reference: "test-" + Hex.encode(SecureRandom.bytes(count: 8)))
    }

    @Test("HTTPS POST: the documented JSON body, bearer key and idempotency key arrive")
    func delivered() async throws {
        let message = try message(text: "Grüße — \"quoted\" \\ code 123456\nsecond line")
        try await client().send(message)
        let records = try DeliveryTestServers.recordedRequests(reference: message.reference)
        #expect(records.count == 1)
        let record = try #require(records.first)
        #expect(record["tls"] as? Bool == true)
        let headers = try #require(record["headers"] as? [String: String])
        #expect(headers["authorization"] == "Bearer " + (try DeliveryTestServers.file("gateway-key")))
        #expect(headers["content-type"] == "application/json")
        #expect(headers["idempotency-key"] == message.reference)
        let body = try #require(record["body"] as? String)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(json == ["to": "+15551234567", "text": message.text, "reference": message.reference,
                         "from": "Deadbolt"])
    }

    @Test("Plain HTTP is accepted for a loopback gateway; no sender means no from field")
    func plainLoopback() async throws {
        let message = try message()
        try await client(https: false, sender: nil).send(message)
        let record = try #require(try DeliveryTestServers.recordedRequests(reference: message.reference).first)
        #expect(record["tls"] as? Bool == false)
        let body = try #require(record["body"] as? String)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(json["from"] == nil)
    }

    @Test("Answers outside 2xx are typed failures: 401 and 400 permanent, 429 and 503 retried")
    func refusals() async throws {
        await #expect(throws: DeliveryFailure.refusedByGateway(status: 401)) {
            try await client(key: "wrong-key").send(message())
        }
        for status in [400, 429, 500, 503] {
            await #expect(throws: DeliveryFailure.refusedByGateway(status: status)) {
                try await client(path: "/status/\(status)").send(message())
            }
        }
        #expect(DeliveryFailure.refusedByGateway(status: 401).isPermanent)
        #expect(DeliveryFailure.refusedByGateway(status: 400).isPermanent)
        #expect(!DeliveryFailure.refusedByGateway(status: 429).isPermanent)
        #expect(!DeliveryFailure.refusedByGateway(status: 503).isPermanent)
    }

    @Test("A redirect is not followed: one request, a typed failure")
    func redirectNotFollowed() async throws {
        let message = try message()
        await #expect(throws: DeliveryFailure.refusedByGateway(status: 302)) {
            try await client(path: "/redirect").send(message)
        }
        #expect(try DeliveryTestServers.recordedRequests(reference: message.reference).count == 1)
    }

    @Test("A response past the bound is cut off; a gateway slower than the total timeout is timedOut")
    func boundsAndTimeouts() async throws {
        await #expect(throws: DeliveryFailure.responseTooLarge) { try await client(path: "/large").send(message()) }
        await #expect(throws: DeliveryFailure.timedOut) {
            try await client(path: "/slow", totalTimeout: .milliseconds(300)).send(message())
        }
    }
}

@Suite("SMSGatewayConfiguration and SMSMessage")
struct SMSGatewayConfigurationTests {
    @Test("Bad settings are typed errors at start")
    func badSettings() {
        let key = SecretBytes(utf8: "abc123")
        #expect(throws: TransportConfigurationError.plainHTTPToRemoteHost) {
            try SMSGatewayConfiguration(url: "http://sms.example.com/messages", bearerKey: key)
        }
        #expect(throws: TransportConfigurationError.plainHTTPToRemoteHost) {
            try SMSGatewayConfiguration(url: "http://127.0.0.1.evil.example/messages", bearerKey: key)
        }
        for url in ["", "ftp://sms.example.com", "https://sms.example.com/a b", "https://x.example\r\nHost: y"] {
            #expect(throws: TransportConfigurationError.self, "\(url)") {
                try SMSGatewayConfiguration(url: url, bearerKey: key)
            }
        }
        for bad in ["", "with space", "line\r\nbreak", "a=b", "ümlaut"] {
            #expect(throws: TransportConfigurationError.self, "\(bad)") {
                try SMSGatewayConfiguration(url: "https://sms.example.com", bearerKey: SecretBytes(utf8: bad))
            }
        }
        #expect(throws: TransportConfigurationError.self) {
            try SMSGatewayConfiguration(url: "https://sms.example.com", bearerKey: key, sender: "a\nb")
        }
        let loopback = try? SMSGatewayConfiguration(
            url: "http://[::1]:8080/sms", bearerKey: SecretBytes(utf8: "k3y+/=="))
        #expect(loopback != nil)
    }

    @Test("Messages: E.164 destinations, bounded text without control characters, safe references")
    func messages() throws {
        for number in ["15551234567", "+0123456789", "+1234567", "+1234567890123456", "+1555abc4567", ""] {
            #expect(throws: SMSMessageError.invalidPhoneNumber, "\(number)") {
                try SMSMessage(to: number, text: "t", reference: "r")
            }
        }
        #expect(throws: SMSMessageError.textLength(limit: SMSMessage.maximumTextLength)) {
            try SMSMessage(to: "+15551234567", text: String(repeating: "x", count: 1025), reference: "r")
        }
        #expect(throws: SMSMessageError.controlCharacter) {
            try SMSMessage(to: "+15551234567", text: "a\u{0}b", reference: "r")
        }
        #expect(throws: SMSMessageError.malformedReference) {
            try SMSMessage(to: "+15551234567", text: "t", reference: "a\r\nIdempotency-Key: b")
        }
        #expect(try SMSMessage(to: "+447700900123", text: "line one\nline two", reference: "outbox-1.a_b").to
            == "+447700900123")
    }
}
