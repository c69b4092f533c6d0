import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    @Suite struct OneTimeCodeVerifierTests {
        let storeClock = ManualClock()
        let store: InMemoryStateStore

        init() { store = InMemoryStateStore(clock: storeClock) }

        let clock = OTPTestClock(1_000_000_020)  // step 33_333_334 of 30 s
        static let generous = LockoutSchedule(
            threshold: 100, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 100,
            failureMemory: .seconds(60))

        let events = RecordingEventSink()

        func verifier(lockout: LockoutSchedule = OneTimeCodeVerifier.defaultLockout) throws -> OneTimeCodeVerifier {
            OneTimeCodeVerifier(
                store: store, hashingKey: try testHashingKey(), lockout: lockout, events: events, wallClock: clock)
        }

        @Test func totpIsAcceptedOnceThenReplayed() async throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let verifier = try verifier()
            let code = try totp.code(at: clock.now)
            let step = try totp.step(at: clock.now)
            #expect(try await verifier.verifyTOTP(code, totp: totp, account: "alice")
                == .accepted(.init(kind: .totp, counter: step, drift: 0, remainingRecoveryCodes: nil)))
            let replay = try await verifier.verifyTOTP(code, totp: totp, account: "alice")
            #expect(replay == .replayed)
            #expect(replay.eventKind == .codeReplayed)
            // An older step's code after a newer one was used is a replay too (RFC 6238 §5.2).
            #expect(try await verifier.verifyTOTP(try totp.code(at: clock.now - 30), totp: totp, account: "alice") == .replayed)
            // Another credential of the same account has its own last-used step.
            #expect(try await verifier.verifyTOTP(code, totp: totp, account: "alice", credential: "phone-2").eventKind
                == .codeRedeemed)
            // The next step's code is fresh.
            clock.now += 30
            #expect(try await verifier.verifyTOTP(try totp.code(at: clock.now), totp: totp, account: "alice").eventKind
                == .codeRedeemed)
        }

        /// Issue 9, defect 3: the used-step marker once lived only as long as the accepting call's window (60 s
        /// for a window of 0), so a caller with a wider window accepted the same code again after it lapsed.
        @Test func aWiderWindowCallerCannotReplayAStep() async throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let narrow = try verifier()
            let code = try totp.code(at: clock.now)
            #expect(try await narrow.verifyTOTP(code, totp: totp, account: "alice", window: OTPWindow(past: 0, future: 0))
                .eventKind == .codeRedeemed)
            clock.now += 90
            storeClock.advance(by: .seconds(90))
            // Three steps later the code is still inside a window reaching three steps back.
            let wide = try verifier()
            #expect(try await wide.verifyTOTP(code, totp: totp, account: "alice", window: OTPWindow(past: 3, future: 0))
                == .replayed)
        }

        /// Issue 9, defect 3: with the marker's lifetime taken from the window (120 s for ±1), a wall clock stepped
        /// back ten minutes once the marker had lapsed accepted a step older than one already used.
        @Test func aClockSteppedBackCannotAcceptAnOlderStep() async throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let verifier = try verifier()
            #expect(try await verifier.verifyTOTP(try totp.code(at: clock.now), totp: totp, account: "alice").eventKind
                == .codeRedeemed)
            storeClock.advance(by: .seconds(150))
            clock.now += 150
            clock.now -= 600
            let older = try totp.code(at: clock.now)
            #expect(try await verifier.verifyTOTP(older, totp: totp, account: "alice") == .replayed)
            // The marker's lifetime is fixed and long: a month without use still remembers the step.
            storeClock.advance(by: .seconds(30 * 86_400))
            #expect(try await verifier.verifyTOTP(older, totp: totp, account: "alice") == .replayed)
            #expect(OneTimeCodeVerifier.totpStepLifetime == .seconds(366 * 86_400))
        }

        @Test func driftIsReported() async throws {
            let totp = try TOTP(secret: RFCSecrets.sha256, hash: .sha256, digits: 8)
            let step = try totp.step(at: clock.now)
            let outcome = try await verifier().verifyTOTP(try totp.code(at: clock.now + 30), totp: totp, account: "bob")
            #expect(outcome == .accepted(.init(kind: .totp, counter: step + 1, drift: 1, remainingRecoveryCodes: nil)))
            #expect(try await verifier().verifyTOTP(try totp.code(at: clock.now + 60), totp: totp, account: "carol") == .rejected)
        }

        @Test func stepZeroCanBeUsedOnce() async throws {
            clock.now = 5
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let verifier = try verifier()
            let code = try totp.code(at: 5)
            #expect(try await verifier.verifyTOTP(code, totp: totp, account: "alice", window: OTPWindow(past: 3, future: 0))
                == .accepted(.init(kind: .totp, counter: 0, drift: 0, remainingRecoveryCodes: nil)))
            #expect(try await verifier.verifyTOTP(code, totp: totp, account: "alice") == .replayed)
        }

        @Test func fiftyConcurrentSubmissionsOfOneCodeAcceptOnce() async throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let verifier = try verifier(lockout: Self.generous)
            let code = try totp.code(at: clock.now)
            let outcomes = try await withThrowingTaskGroup(of: OneTimeCodeOutcome.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await verifier.verifyTOTP(code, totp: totp, account: "alice") }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0.eventKind == .codeRedeemed }.count == 1)
            #expect(outcomes.filter { $0 == .replayed }.count == 49)
        }

        @Test func fiftyConcurrentHOTPSubmissionsAcceptOnce() async throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            let verifier = try verifier(lockout: Self.generous)
            let code = try hotp.code(counter: 7)
            let outcomes = try await withThrowingTaskGroup(of: OneTimeCodeOutcome.self) { group in
                for _ in 0..<50 {
                    group.addTask { try await verifier.verifyHOTP(code, hotp: hotp, account: "alice", expectedCounter: 5) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .accepted(.init(kind: .hotp, counter: 7, drift: 2, remainingRecoveryCodes: nil)) }.count == 1)
            #expect(outcomes.filter { $0 == .replayed }.count == 49)
        }

        @Test func hotpLookAheadReplayAndResync() async throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            let verifier = try verifier()
            let appendixD = OneTimeCodesTests.HOTPTests.appendixD
            #expect(try await verifier.verifyHOTP(appendixD[3], hotp: hotp, account: "alice", expectedCounter: 0)
                == .accepted(.init(kind: .hotp, counter: 3, drift: 3, remainingRecoveryCodes: nil)))
            #expect(try await verifier.verifyHOTP(appendixD[3], hotp: hotp, account: "alice", expectedCounter: 4) == .rejected)
            #expect(try await verifier.verifyHOTP(appendixD[3], hotp: hotp, account: "alice", expectedCounter: 0) == .replayed)
            #expect(try await verifier.verifyHOTP(appendixD[2], hotp: hotp, account: "alice", expectedCounter: 0) == .replayed)
            #expect(try await verifier.verifyHOTP(appendixD[4], hotp: hotp, account: "alice", expectedCounter: 4)
                == .accepted(.init(kind: .hotp, counter: 4, drift: 0, remainingRecoveryCodes: nil)))
            // A token that ran 40 presses ahead: outside the look-ahead of 10, found by two consecutive codes.
            let far = try hotp.code(counter: 45)
            let farNext = try hotp.code(counter: 46)
            #expect(try await verifier.verifyHOTP(far, hotp: hotp, account: "alice", expectedCounter: 5) == .rejected)
            #expect(try await verifier.resynchronizeHOTP(first: far, second: farNext, hotp: hotp, account: "alice", expectedCounter: 5)
                == .accepted(.init(kind: .hotp, counter: 46, drift: 41, remainingRecoveryCodes: nil)))
            #expect(try await verifier.resynchronizeHOTP(first: far, second: farNext, hotp: hotp, account: "alice", expectedCounter: 5)
                == .replayed)
        }

        @Test func theLastCounterIsNeverAccepted() async throws {
            let hotp = try HOTP(secret: RFCSecrets.sha1)
            let code = try hotp.code(counter: .max)
            #expect(try await verifier().verifyHOTP(code, hotp: hotp, account: "alice", expectedCounter: .max - 3) == .rejected)
        }

        @Test func wrongCodesLockTheBudgetAndSuccessResetsIt() async throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let verifier = try verifier()
            let right = try totp.code(at: clock.now)
            let wrong = right == "000000" ? "000001" : "000000"
            for _ in 0..<4 {
                #expect(try await verifier.verifyTOTP(wrong, totp: totp, account: "alice") == .rejected)
            }
            // Success resets the count: four more wrong codes do not lock.
            #expect(try await verifier.verifyTOTP(right, totp: totp, account: "alice").eventKind == .codeRedeemed)
            for _ in 0..<4 {
                #expect(try await verifier.verifyTOTP(wrong, totp: totp, account: "alice") == .rejected)
            }
            #expect(try await verifier.verifyTOTP(wrong, totp: totp, account: "alice") == .rejected)
            // The fifth consecutive failure started a 30 s lock: even the right code is not checked.
            clock.now += 30
            let next = try totp.code(at: clock.now)
            let locked = try await verifier.verifyTOTP(next, totp: totp, account: "alice")
            #expect(locked == .locked(retryAfter: .seconds(30)))
            #expect(locked.eventKind == .attemptBlocked)
            // The budget is shared by every kind of code for the account.
            #expect(try await verifier.verifyRecoveryCode("AAAA-AAAA-AAAAA", account: "alice") == .locked(retryAfter: .seconds(30)))
            storeClock.advance(by: .seconds(31))
            #expect(try await verifier.verifyTOTP(next, totp: totp, account: "alice").eventKind == .codeRedeemed)
        }

        @Test func hardLockNeedsClearing() async throws {
            let schedule = LockoutSchedule(
                threshold: 100, initialWait: .seconds(1), maximumWait: .seconds(1), hardLockAfter: 3, failureMemory: .seconds(600))
            let verifier = try verifier(lockout: schedule)
            for _ in 0..<3 {
                #expect(try await verifier.verifyRecoveryCode("AAAA-AAAA-AAAAA", account: "alice") == .rejected)
            }
            #expect(try await verifier.verifyRecoveryCode("AAAA-AAAA-AAAAA", account: "alice") == .locked(retryAfter: nil))
            try await store.clearLockout(try OneTimeCodeVerifier.lockoutKey(account: "alice"))
            #expect(try await verifier.verifyRecoveryCode("AAAA-AAAA-AAAAA", account: "alice") == .rejected)
        }

        @Test func everyOutcomeMapsToItsOwnEvent() {
            let acceptance = OneTimeCodeAcceptance(kind: .totp, counter: 1, drift: 0, remainingRecoveryCodes: nil)
            let recovery = OneTimeCodeAcceptance(kind: .recoveryCode, counter: nil, drift: nil, remainingRecoveryCodes: 9)
            let outcomes: [OneTimeCodeOutcome] = [
                .accepted(acceptance), .accepted(recovery), .rejected, .replayed, .expired, .locked(retryAfter: nil),
            ]
            #expect(
                outcomes.map(\.eventKind) == [
                    .codeRedeemed, .recoveryCodeUsed, .codeRejected, .codeReplayed, .codeExpired, .attemptBlocked,
                ])
        }

        @Test func everyCheckIsRecordedWithoutTheCode() async throws {
            let totp = try TOTP(secret: RFCSecrets.sha1)
            let code = try totp.code(at: clock.now)
            let verifier = try verifier()
            _ = try await verifier.verifyTOTP(code, totp: totp, account: "alice")
            _ = try await verifier.verifyTOTP(code, totp: totp, account: "alice")
            _ = try await verifier.verifyTOTP("000000", totp: totp, account: "alice")
            #expect(events.kinds() == [.codeRedeemed, .codeReplayed, .codeRejected])
            #expect(events.events.allSatisfy { $0.account == "alice" && $0.millisecondsSinceEpoch == Int64(clock.now) * 1000 })
            #expect(!events.events.map { "\($0)" }.joined().contains(code))
        }

        @Test func aClockBeforeTheEpochIsAnError() async throws {
            clock.now = 10
            let totp = try TOTP(secret: RFCSecrets.sha1, t0: 100)
            await #expect(throws: OTPError.timeBeforeEpoch) { try await verifier().verifyTOTP("123456", totp: totp, account: "a") }
        }
    }
}
