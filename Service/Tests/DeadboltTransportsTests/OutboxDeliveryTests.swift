import Deadbolt
import DeadboltSQLite
import DeadboltSignIn
import Foundation
import Testing

@testable import DeadboltTransports

/// The sign-in system's outbox delivered through the real transports: messages written by a flow, delivered by the
/// worker into the development mailbox, an SMTP server and an SMS gateway on 127.0.0.1, read back from there, and
/// the codes in them accepted by the flow.
@Suite("Outbox delivery through the transports", .serialized)
struct OutboxDeliveryTests {
    let folder = NSTemporaryDirectory() + "deadbolt-outbox-test-" + UUID().uuidString
    let threads: BlockingCallThreads
    let sender: NamedMailAddress
    let secrets: SignInSecrets
    /// Limits and issued codes, shared by the systems a test makes (in production, Redis outlives a restart).
    let stateStore = InMemoryStateStore(clock: SystemClock())

    init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        threads = try BlockingCallThreads(threadCount: 2)
        sender = try NamedMailAddress(displayName: "Deadbolt", address: MailAddress("no-reply@deadbolt.example"))
        secrets = try SignInSecrets(
            sealing: SealingKeyring(current: SealingKey(id: "k1", key: SecretBytes.random(count: 32))),
            serverKey: SecretBytes.random(count: 32))
    }

    /// A system over the SQLite file in `folder` and `stateStore`, with small Argon2 parameters. Two calls make two
    /// systems over one database: a restart.
    func system() async throws -> SignInSystem {
        let pepper = try PepperKeyring(current: PepperKey(id: "p1", secret: [UInt8](repeating: 7, count: 32)))
        let small = HashAlgorithm.argon2(Argon2.Parameters(memoryKiB: 64, iterations: 1, parallelism: 1))
        var configuration = SignInConfiguration()
        // A blocklist of its own, so these tests do not depend on the shipped data file.
        configuration.passwordPolicy = PasswordPolicy(
            minimumLength: 12, maximumLength: 256, serviceName: "Deadbolt",
            blocklist: PasswordBlocklist(entries: ["password1234"]))
        return try await SignInSystem(
            store: try SQLiteSignInStore(path: folder + "/deadbolt.sqlite"),
            stateStore: stateStore, secrets: secrets,
            passwordHasher: try PasswordHasher(for: .password, algorithm: small, keyring: nil),
            pinHasher: try PasswordHasher(for: .pin, algorithm: small, keyring: pepper), configuration: configuration)
    }

    func client() throws -> ClientContext {
        try ClientContext(address: NetworkAddress("127.0.0.1"), browserID: "outbox-delivery-test-browser")
    }

    /// The six-digit code in `text`.
    func code(in text: String) throws -> String {
        let words = text.split(whereSeparator: { !$0.isNumber })
        return String(try #require(words.first { $0.count == 6 }))
    }

    @Test("A sign-up code written before a restart is delivered once into the mailbox, and the flow accepts it")
    func mailboxSurvivesRestart() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let client = try client()
        let answer = try await system().signUp.start(
            email: "person@example.com", password: "correct horse battery staple 2024", client: client)
        guard case .confirmEmail(let token, _) = answer else {
            Issue.record("sign-up answered \(answer)")
            return
        }
        // A new system over the same database: the process restarted before the worker ran.
        let restarted = try await system()
        let mailbox = try DevelopmentMailbox(folder: folder + "/mailbox")
        let worker = restarted.deliveryWorker(
            transport: MailboxTransport(mailbox: mailbox, sender: sender, threads: threads), name: "test-worker")
        #expect(try await worker.deliverDue().sent == 1)
        #expect(try await worker.deliverDue().sent == 0)
        let messages = try mailbox.messages()
        #expect(messages.count == 1)
        let message = try #require(messages.first)
        #expect(message.channel == .email)
        #expect(message.destination == "person@example.com")
        #expect(message.email.sender == "no-reply@deadbolt.example")
        #expect(try await restarted.signUp.confirmEmail(token, code: code(in: message.email.body), client: client)
            == .accountCreated)
    }

    @Test("Email through SMTP with STARTTLS and AUTH, a text message through the gateway, routed by channel",
          .enabled(if: DeliveryTestServers.available))
    func smtpAndGateway() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let system = try await system()
        let client = try client()
        let email = "person-\(UUID().uuidString.prefix(8).lowercased())@example.com"
        let mailbox = try DevelopmentMailbox(folder: folder + "/mailbox")
        let development = system.deliveryWorker(
            transport: MailboxTransport(mailbox: mailbox, sender: sender, threads: threads), name: "mailbox")
        guard case .confirmEmail(let token, _) = try await system.signUp.start(
            email: email, password: "correct horse battery staple 2024", client: client)
        else { throw SignInError.stepInvalid }
        _ = try await development.deliverDue()
        let signUpCode = try code(in: try #require(mailbox.messages().first).email.body)
        #expect(try await system.signUp.confirmEmail(token, code: signUpCode, client: client) == .accountCreated)
        _ = try await system.identity.record(
            IdentityProof(
                method: .operatorApproval, evidenceReference: "test", approvedBy: "tester",
                facts: PersonalFacts(birthDate: nil, ssnLastFour: nil, phoneNumber: "+15557654321")),
            email: EmailAddress(email))
        guard case .chooseChannel(let choose, _) = try await system.forgotPIN.start(email: email, client: client),
            case .codeSent(let codeStep, _) = try await system.forgotPIN.sendCode(choose, via: .phone, client: client)
        else { throw SignInError.stepInvalid }

        let smtp = SMTPClient(
            configuration: try SMTPRelayConfiguration(
                host: "127.0.0.1", port: DeliveryTestServers.startTLSPort, tls: .required,
                credentials: SMTPCredentials(
                    username: DeliveryTestServers.file("smtp-user"),
                    password: SecretBytes(utf8: DeliveryTestServers.file("smtp-password"))),
                caFile: DeliveryTestServers.caFile),
            threads: threads)
        let gateway = SMSGatewayClient(
            configuration: try SMSGatewayConfiguration(
                url: "https://127.0.0.1:\(DeliveryTestServers.httpsPort)/messages",
                bearerKey: SecretBytes(utf8: DeliveryTestServers.file("gateway-key")),
                caFile: DeliveryTestServers.caFile),
            threads: threads)
        let router = ChannelRouter(
            email: SMTPTransport(client: smtp, sender: sender), sms: SMSGatewayTransport(client: gateway))
        let report = try await system.deliveryWorker(transport: router, name: "relay").deliverDue()
        // The identity-verified notice by email, the recovery code by text message.
        #expect(report.sent == 2)
        #expect(report.failed == 0)

        let spool = DeliveryTestServers.directory + "/sms-spool"
        let texts = try FileManager.default.contentsOfDirectory(atPath: spool).sorted().compactMap { name -> String? in
            let data = try Data(contentsOf: URL(fileURLWithPath: spool + "/" + name))
            let record = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            let body = (record?["body"] as? String).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) }
            guard let json = body as? [String: String], json["to"] == "+15557654321" else { return nil }
            return json["text"]
        }
        let text = try #require(texts.last)
        #expect(try await system.forgotPIN.submitCode(codeStep, code: code(in: text), client: client)
            != .wrongCode)

        let maildir = DeliveryTestServers.directory + "/maildir/new"
        let notices = try FileManager.default.contentsOfDirectory(atPath: maildir).compactMap { name in
            try? ReceivedEmail(parsing: Array(Data(contentsOf: URL(fileURLWithPath: maildir + "/" + name))))
        }.filter { $0.recipients == [email] }
        #expect(notices.count == 1)
        #expect(notices.first?.header("X-Test-TLS") == "yes")
        #expect(notices.first?.subject?.contains("identity") == true)
    }

    @Test("An unreachable relay is retried, a refused recipient is given up, and nothing is lost")
    func retriesAndGivesUp() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let system = try await system()
        let client = try client()
        _ = try await system.signUp.start(email: "first@example.com", password: "correct horse battery staple 2024",
                                          client: client)
        let closedPort = try SilentListener().port
        let unreachable = SMTPTransport(
            client: SMTPClient(
                configuration: try SMTPRelayConfiguration(host: "127.0.0.1", port: closedPort, tls: .none),
                threads: threads),
            sender: sender)
        let failing = try await system.deliveryWorker(transport: unreachable, name: "w").deliverDue()
        #expect(failing.retried == 1)
        #expect(failing.sent == 0)

        _ = try await system.signUp.start(email: "nobody@example.com", password: "correct horse battery staple 2024",
                                          client: client)
        // A mailbox transport that refuses one destination for good stands in for a relay's 550.
        let mailbox = try DevelopmentMailbox(folder: folder + "/mailbox")
        let refusing = RefusingTransport(
            refused: "nobody@example.com", next: MailboxTransport(mailbox: mailbox, sender: sender, threads: threads))
        // The first message waits for its backoff; the second is due now and refused.
        let refusal = try await system.deliveryWorker(transport: refusing, name: "w2").deliverDue()
        #expect(refusal.failed == 1)
        #expect(try mailbox.messages().isEmpty)
    }
}

/// Refuses one destination permanently and hands every other message on.
struct RefusingTransport: MessageTransport {
    let refused: String
    let next: any MessageTransport

    func send(_ message: OutgoingMessage) async throws {
        if message.destination == refused { throw MessageDeliveryError.permanent("refused by the test") }
        try await next.send(message)
    }
}
