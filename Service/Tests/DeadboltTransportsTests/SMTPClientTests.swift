import Deadbolt
import Foundation
import Testing

@testable import DeadboltTransports

/// Submissions to a real SMTP server (aiosmtpd, scripts/delivery-test-servers) on 127.0.0.1, read back from the
/// Maildir it writes.
@Suite("SMTPClient", .enabled(if: DeliveryTestServers.available), .serialized)
struct SMTPClientTests {
    let threads: BlockingCallThreads

    init() throws {
        if DeliveryTestServers.required, !DeliveryTestServers.running {
            Issue.record("the delivery test servers are not running, and DEADBOLT_REQUIRE_DELIVERY=1")
        }
        threads = try BlockingCallThreads(threadCount: 2)
    }

    func credentials(password: String? = nil) throws -> SMTPCredentials {
        try SMTPCredentials(
            username: DeliveryTestServers.file("smtp-user"),
            password: SecretBytes(utf8: password ?? DeliveryTestServers.file("smtp-password")))
    }

    func message(to recipient: String = "person@example.com", subject: String = "Your sign-in code",
                 body: String = "Your code is 123456.\nIt expires in 10 minutes.") throws -> EmailMessage {
        try EmailMessage(
            from: NamedMailAddress(displayName: "Deadbolt", address: MailAddress("no-reply@deadbolt.example")),
            to: [NamedMailAddress(MailAddress(recipient))], subject: subject, body: body,
            identifier: "test-" + Hex.encode(SecureRandom.bytes(count: 8)))
    }

    func client(port: Int, tls: SMTPTLSMode, credentials: SMTPCredentials? = nil, trustTestCA: Bool = true,
                totalTimeout: Duration = .seconds(20)) throws -> SMTPClient {
        SMTPClient(
            configuration: try SMTPRelayConfiguration(
                host: "127.0.0.1", port: port, tls: tls, credentials: credentials,
                caFile: trustTestCA ? DeliveryTestServers.caFile : nil, clientName: "deadbolt.test",
                connectTimeout: .seconds(5), totalTimeout: totalTimeout),
            threads: threads)
    }

    @Test("STARTTLS required + AUTH: delivered encrypted and authenticated, every header and the body intact")
    func startTLSWithAuth() async throws {
        let long = String(repeating: "long ", count: 30)
        let body = ".a line starting with a dot\n.\nGrüße 🔐 — \(long)\nCode: 123456"
        let message = try message(subject: "Vérifiez votre adresse — code inside", body: body)
        try await client(port: DeliveryTestServers.startTLSPort, tls: .required, credentials: credentials())
            .send(message, unixSeconds: 1_700_000_000)
        let delivered = try #require(await DeliveryTestServers.deliveredEmail(identifier: message.identifier))
        #expect(delivered.email.header("X-Test-TLS") == "yes")
        #expect(delivered.email.header("X-Test-Auth") == (try DeliveryTestServers.file("smtp-user")))
        #expect(delivered.email.header("X-Test-Envelope-From") == "no-reply@deadbolt.example")
        #expect(delivered.email.header("X-Test-Envelope-To") == "person@example.com")
        #expect(delivered.email.subject == "Vérifiez votre adresse — code inside")
        #expect(delivered.email.body == body)
        #expect(delivered.email.header("Date") == "Tue, 14 Nov 2023 22:13:20 +0000")

        // Python's email package, an independent parser, reads the same message without a defect.
        let python = try pythonParse(delivered.raw)
        #expect(python["defects"] == "0")
        #expect(python["subject"] == "Vérifiez votre adresse — code inside")
        #expect(python["from"] == "Deadbolt <no-reply@deadbolt.example>")
        #expect(python["to"] == "person@example.com")
        #expect(python["message-id"] == "<\(message.identifier)@deadbolt.example>")
        #expect(python["content-type"] == "text/plain")
        #expect(python["charset"] == "utf-8")
        // Python keeps the CRLF line endings of the wire in the text it decodes.
        let pythonBody = python["body"]?.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(pythonBody?.trimmingCharacters(in: .newlines) == body)
    }

    @Test("Implicit TLS (smtps) + AUTH: delivered encrypted and authenticated")
    func implicitTLS() async throws {
        let message = try message()
        try await client(port: DeliveryTestServers.implicitTLSPort, tls: .implicit, credentials: credentials())
            .send(message, unixSeconds: 1_700_000_000)
        let delivered = try #require(await DeliveryTestServers.deliveredEmail(identifier: message.identifier))
        #expect(delivered.email.header("X-Test-TLS") == "yes")
        #expect(delivered.email.header("X-Test-Auth") == (try DeliveryTestServers.file("smtp-user")))
    }

    @Test("STARTTLS optional upgrades when offered and goes plain when not; none never upgrades")
    func optionalAndNone() async throws {
        let cases: [(port: Int, tls: SMTPTLSMode, encrypted: String)] = [
            (DeliveryTestServers.offeringSMTPPort, .optional, "yes"),
            (DeliveryTestServers.plainSMTPPort, .optional, "no"),
            (DeliveryTestServers.offeringSMTPPort, .none, "no"),
        ]
        for item in cases {
            let message = try message()
            try await client(port: item.port, tls: item.tls).send(message, unixSeconds: 0)
            let delivered = try #require(await DeliveryTestServers.deliveredEmail(identifier: message.identifier))
            #expect(delivered.email.header("X-Test-TLS") == item.encrypted, "\(item.tls) on \(item.port)")
            #expect(delivered.email.header("X-Test-Auth") == "none")
        }
    }

    @Test("STARTTLS required against a server that does not offer it: refused before any mail command")
    func requiredButNotOffered() async throws {
        let message = try message()
        await #expect(throws: DeliveryFailure.startTLSUnavailable) {
            try await client(port: DeliveryTestServers.plainSMTPPort, tls: .required).send(message, unixSeconds: 0)
        }
        #expect(try await DeliveryTestServers.deliveredEmail(identifier: message.identifier, attempts: 1) == nil)
    }

    @Test("A certificate the client does not trust fails TLS (checks are always on)")
    func untrustedCertificate() async throws {
        let message = try message()
        await #expect {
            try await client(port: DeliveryTestServers.startTLSPort, tls: .required, credentials: credentials(),
                             trustTestCA: false).send(message, unixSeconds: 0)
        } throws: { error in
            guard case .tlsFailed = error as? DeliveryFailure else { return false }
            return true
        }
        #expect(!DeliveryFailure.tlsFailed("").isPermanent)
    }

    @Test("A wrong password is authenticationRefused")
    func wrongPassword() async throws {
        await #expect(throws: DeliveryFailure.authenticationRefused) {
            try await client(port: DeliveryTestServers.startTLSPort, tls: .required,
                             credentials: credentials(password: "not-the-password")).send(message(), unixSeconds: 0)
        }
    }

    @Test("Refused recipients: 550 is permanent, 451 is temporary")
    func refusedRecipients() async throws {
        let plain = try client(port: DeliveryTestServers.plainSMTPPort, tls: .none)
        await #expect(throws: DeliveryFailure.refusedBySMTPServer(replyCode: 550)) {
            try await plain.send(message(to: "someone@reject.invalid"), unixSeconds: 0)
        }
        await #expect(throws: DeliveryFailure.refusedBySMTPServer(replyCode: 451)) {
            try await plain.send(message(to: "someone@tempfail.invalid"), unixSeconds: 0)
        }
        #expect(DeliveryFailure.refusedBySMTPServer(replyCode: 550).isPermanent)
        #expect(!DeliveryFailure.refusedBySMTPServer(replyCode: 451).isPermanent)
    }

    @Test("No server on the port is unreachable; a server that never answers hits the total timeout")
    func unreachableAndSilent() async throws {
        // A port that was listening a moment ago and is closed now: nothing accepts there.
        let closedPort = try SilentListener().port
        await #expect {
            try await client(port: closedPort, tls: .none).send(message(), unixSeconds: 0)
        } throws: { error in
            guard case .unreachable = error as? DeliveryFailure else { return false }
            return true
        }
        let silent = try SilentListener()
        await #expect(throws: DeliveryFailure.timedOut) {
            try await client(port: silent.port, tls: .none, totalTimeout: .milliseconds(300))
                .send(message(), unixSeconds: 0)
        }
    }
}

@Suite("SMTPRelayConfiguration")
struct SMTPRelayConfigurationTests {
    @Test("Bad settings are typed errors at start")
    func badSettings() throws {
        let credentials = try SMTPCredentials(username: "user", password: SecretBytes(utf8: "password"))
        #expect(throws: TransportConfigurationError.credentialsWithoutTLS) {
            try SMTPRelayConfiguration(host: "relay.example", tls: .none, credentials: credentials)
        }
        #expect(throws: TransportConfigurationError.credentialsWithoutTLS) {
            try SMTPRelayConfiguration(host: "relay.example", tls: .optional, credentials: credentials)
        }
        for host in ["", "relay example", "relay.example\r\nMAIL FROM:<x@y>", "[not-ipv6]", "a/b"] {
            #expect(throws: TransportConfigurationError.self, "\(host)") { try SMTPRelayConfiguration(host: host) }
        }
        #expect(throws: TransportConfigurationError.self) { try SMTPRelayConfiguration(host: "relay", port: 0) }
        #expect(throws: TransportConfigurationError.self) { try SMTPRelayConfiguration(host: "relay", port: 65_536) }
        #expect(throws: TransportConfigurationError.self) {
            try SMTPRelayConfiguration(host: "relay", caFile: "/nonexistent/ca.pem")
        }
        #expect(throws: TransportConfigurationError.self) {
            try SMTPRelayConfiguration(host: "relay", totalTimeout: .zero)
        }
        #expect(throws: TransportConfigurationError.self) {
            try SMTPCredentials(username: "user\r\nX", password: SecretBytes(utf8: "p"))
        }
        #expect(throws: TransportConfigurationError.self) {
            try SMTPCredentials(username: "user", password: SecretBytes(utf8: "pass\r\nword"))
        }
        #expect(try SMTPRelayConfiguration(host: "[::1]", port: 25, tls: .none).host == "[::1]")
        #expect(try SMTPRelayConfiguration(host: "smtp.example.org", credentials: credentials).tls == .required)
    }
}
