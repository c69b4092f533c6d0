import DeadboltServer
import DeadboltTransports
import Foundation
import Testing

@Suite("Delivery settings")
struct DeliveryConfigurationTests {
    func options(_ adjust: (inout DeliveryOptions) -> Void) -> DeliveryOptions {
        var options = DeliveryOptions()
        adjust(&options)
        return options
    }

    @Test("No relay is development mode; a relay setting without its relay is refused at start")
    func developmentMode() throws {
        guard case .developmentMailbox = try DeliveryOptions().configuration(environment: [:]) else {
            Issue.record("no relay should mean the development mailbox")
            return
        }
        #expect(throws: ConfigurationError.conflict("--mail-from needs --smtp-host or --sms-gateway-url")) {
            try options { $0.mailFrom = "a@example.gov" }.configuration(environment: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try options { $0.smtpUser = "user" }.configuration(environment: [:])
        }
    }

    @Test("The development mailbox listens on loopback only")
    func mailboxOnLoopbackOnly() throws {
        var configuration = ServerConfiguration.embeddedDefault(dataFolder: "/tmp/unused")
        configuration.host = "0.0.0.0"
        #expect(throws: ConfigurationError.self) { try configuration.validate() }
        configuration.host = "::1"
        try configuration.validate()
    }

    @Test("SMTP: --mail-from is required, credentials come from a file or the environment, bad values are refused")
    func smtp() throws {
        #expect(throws: ConfigurationError.self) {
            try options { $0.smtpHost = "relay.example.gov" }.configuration(environment: [:])
        }
        let relay = try options {
            $0.smtpHost = "relay.example.gov"
            $0.mailFrom = "Agency sign-in <no-reply@example.gov>"
            $0.smtpUser = "deadbolt"
        }.configuration(environment: ["DEADBOLT_SMTP_PASSWORD": "from-the-environment"])
        guard case .relays(let relays) = relay, let smtp = relays.smtp else {
            Issue.record("expected an SMTP relay")
            return
        }
        #expect(smtp.tls == .required)
        #expect(smtp.port == 587)
        #expect(smtp.credentials?.username == "deadbolt")
        #expect(relays.sender.displayName == "Agency sign-in")
        #expect(relays.sender.address.text == "no-reply@example.gov")
        #expect(relays.sms == nil)

        // Credentials without the environment variable or a file; credentials over plain SMTP; a bad TLS mode.
        #expect(throws: ConfigurationError.self) {
            try options {
                $0.smtpHost = "relay.example.gov"
                $0.mailFrom = "no-reply@example.gov"
                $0.smtpUser = "deadbolt"
            }.configuration(environment: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try options {
                $0.smtpHost = "relay.example.gov"
                $0.mailFrom = "no-reply@example.gov"
                $0.smtpUser = "deadbolt"
                $0.smtpTLS = "none"
            }.configuration(environment: ["DEADBOLT_SMTP_PASSWORD": "p"])
        }
        #expect(throws: ConfigurationError.self) {
            try options {
                $0.smtpHost = "relay.example.gov"
                $0.mailFrom = "no-reply@example.gov"
                $0.smtpTLS = "sometimes"
            }.configuration(environment: [:])
        }
        for from in ["no reply@example.gov", "Name <no-reply@example.gov>\r\nBcc: x@example.gov", "<>", ""] {
            #expect(throws: ConfigurationError.self, "\(from)") { try DeliveryRelays.sender(parsing: from) }
        }
        let quoted = try DeliveryRelays.sender(parsing: "\"Sign-in, Agency\" <a@example.gov>")
        #expect(quoted.displayName == "Sign-in, Agency")
    }

    @Test("The SMTP password and the gateway key are read from files, first line only")
    func secretFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deadbolt-delivery-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "gateway-key-123\nignored\n".write(toFile: folder + "/key", atomically: true, encoding: .utf8)
        let delivery = try options {
            $0.smsGatewayURL = "https://sms.example.gov/messages"
            $0.smsGatewayKeyFile = folder + "/key"
            $0.smsSender = "Agency"
        }.configuration(environment: [:])
        guard case .relays(let relays) = delivery, let sms = relays.sms else {
            Issue.record("expected an SMS gateway")
            return
        }
        #expect(sms.bearerKey.withUnsafeBytes { Array($0) } == Array("gateway-key-123".utf8))
        #expect(relays.smtp == nil)
        #expect(throws: ConfigurationError.self) {
            try options {
                $0.smsGatewayURL = "https://sms.example.gov/messages"
                $0.smsGatewayKeyFile = folder + "/missing"
            }.configuration(environment: [:])
        }
        #expect(throws: ConfigurationError.self) {
            try options {
                $0.smsGatewayURL = "http://sms.example.gov/messages"
                $0.smsGatewayKeyFile = folder + "/key"
            }.configuration(environment: [:])
        }
    }
}
