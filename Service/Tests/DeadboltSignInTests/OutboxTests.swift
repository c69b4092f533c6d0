import Deadbolt
import Testing

@testable import DeadboltSignIn

@Suite struct OutboxTests {
    /// Starts a sign-up and returns the outbox row of its code message.
    static func codeMessage(_ harness: Harness, _ email: String) async throws -> OutboxMessage {
        _ = try await harness.system.signUp.start(email: email, password: Harness.defaultPassword, client: try Harness.client())
        let claimed = try await harness.store.claimMessages(worker: "peek", now: harness.system.context.now, lease: .milliseconds(1), limit: 10)
        harness.clock.advance(by: .milliseconds(2))
        return try #require(claimed.first)
    }

    @Test func aCodeMessageIsSealedAtRestAndErasedOnDelivery() async throws {
        let harness = try await Harness()
        let row = try await Self.codeMessage(harness, "seal@example.com")
        #expect(row.isSealed && row.carriesCode)
        #expect(row.body.hasPrefix("v1.test."))
        #expect(row.expiresAt == row.createdAt.adding(.seconds(600)))
        let code = try await harness.lastCode(to: "seal@example.com")
        #expect(!row.body.contains(code))
        #expect(!row.body.contains("seal@example.com"))
        let sent = try #require(try await harness.store.message(id: row.id))
        #expect(sent.status == .sent)
        #expect(sent.body.isEmpty)
    }

    @Test func anUndeliveredCodeMessageIsErasedWhenItExpires() async throws {
        let harness = try await Harness()
        let row = try await Self.codeMessage(harness, "late@example.com")
        harness.transport.failNext(Array(repeating: .temporary("relay down"), count: 10))
        _ = try await harness.worker.deliverDue()
        harness.clock.advance(by: .seconds(601))
        let report = try await harness.worker.deliverDue()
        #expect(report.expired == 1)
        let expired = try #require(try await harness.store.message(id: row.id))
        #expect(expired.status == .failed)
        #expect(expired.body.isEmpty)
        #expect(harness.transport.messages.isEmpty)
    }

    @Test func aFailedDeliveryIsRetriedWithBackoffAndAPermanentOneGivenUp() async throws {
        let harness = try await Harness()
        try await harness.signUp("retry@example.com")
        harness.transport.removeAll()
        // A notice (no code): the identity-verified message.
        try await harness.verifyIdentity("retry@example.com")
        harness.transport.failNext([.temporary("timeout"), .temporary("timeout")])
        var report = try await harness.worker.deliverDue()
        #expect(report.retried == 1 && report.sent == 0)
        #expect(try await harness.worker.deliverDue() == DeliveryReport(), "not before the backoff")
        harness.clock.advance(by: .seconds(30))
        report = try await harness.worker.deliverDue()
        #expect(report.retried == 1, "the second failure")
        harness.clock.advance(by: .seconds(59))
        #expect(try await harness.worker.deliverDue().sent == 0, "the backoff doubled")
        harness.clock.advance(by: .seconds(1))
        #expect(try await harness.worker.deliverDue().sent == 1)

        try await harness.verifyIdentity("retry@example.com")
        harness.transport.failNext([.permanent("mailbox does not exist")])
        report = try await harness.worker.deliverDue()
        #expect(report.failed == 1)
    }

    @Test func twoWorkersDeliverEachMessageOnce() async throws {
        let harness = try await Harness()
        for index in 0..<12 {
            _ = try await harness.system.signUp.start(email: "many\(index)@example.com", password: Harness.defaultPassword, client: try Harness.client(browser: "browser-many-\(index)-00000"))
        }
        let second = harness.system.deliveryWorker(transport: harness.transport, name: "second-worker")
        async let one = harness.worker.deliverDue()
        async let two = second.deliverDue()
        let reports = try await [one, two]
        #expect(reports.map(\.sent).reduce(0, +) == 12)
        let ids = harness.transport.messages.map(\.id)
        #expect(ids.count == 12 && Set(ids).count == 12)
    }

    @Test func everySecurityNoticeCarriesTheNotMeLinkAndNothingSecretInAnyURL() {
        let renderer = NoticeRenderer(serviceName: "Deadbolt", notMeURL: "https://deadbolt.example/not-me")
        let at = Timestamp(millisecondsSinceEpoch: 1_735_689_600_000)
        let notices: [Notice] = [
            .alreadyRegistered, .newDeviceSignIn(deviceLabel: "Firefox", network: "192.0.0.0/16", at: at), .passwordMayBeKnown(at: at),
            .accountLocked(until: at), .accountLocked(until: nil), .pinChanged(at: at), .passwordChanged(at: at),
            .phoneChanged(newPhoneMasked: "•••-•••-0018", at: at), .authenticatorAdded(at: at), .authenticatorRemoved(at: at),
            .recoveryCodesGenerated(at: at), .recoveryCodeUsed(remaining: 3, at: at), .signedOutEverywhere(at: at),
            .identityVerified(credentialsVoided: true, at: at), .accountDeleted(at: at),
        ]
        for notice in notices {
            let rendered = renderer.render(notice)
            #expect(notice.isSecurityNotice && !notice.carriesCode)
            #expect(rendered.body.contains("https://deadbolt.example/not-me"), "\(notice)")
            #expect(rendered.shortText.contains("https://deadbolt.example/not-me"), "\(notice)")
            #expect(rendered.subject.hasPrefix("Deadbolt: "))
        }
        for notice: Notice in [.confirmEmailCode(code: "123456"), .signInCode(code: "123456"), .recoveryCode(code: "123456", resetting: .pin), .phoneConfirmationCode(code: "123456")] {
            let rendered = renderer.render(notice)
            #expect(notice.carriesCode && !notice.isSecurityNotice)
            #expect(rendered.body.contains("123456") && rendered.shortText.hasPrefix("Deadbolt: 123456"))
            #expect(!rendered.body.contains("http"), "no link of any kind next to a code")
        }
        #expect(NoticeRenderer.time(at) == "2025-01-01 00:00 UTC")
        #expect(NoticeRenderer.time(Timestamp(millisecondsSinceEpoch: 951_782_400_000 + 86_399_000)) == "2000-02-29 23:59 UTC")
    }
}
