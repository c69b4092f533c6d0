import Synchronization
import Testing
@testable import Deadbolt

/// Shared secrets of RFC 4226 Appendix D and RFC 6238 Appendix B: the ASCII digits "1234567890" repeated to
/// 20, 32 and 64 bytes.
enum RFCSecrets {
    static let sha1 = Array("12345678901234567890".utf8)
    static let sha256 = Array("12345678901234567890123456789012".utf8)
    static let sha512 = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)
}

/// A wall clock a test sets by hand.
final class OTPTestClock: WallClock {
    private let value: Mutex<UInt64>

    init(_ value: UInt64) { self.value = Mutex(value) }

    var now: UInt64 {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }

    func millisecondsSinceEpoch() -> Int64 { Int64(now) * 1000 }
}

/// A delivery that records what it was asked to send, so tests can read the code.
actor RecordingDelivery: CodeDelivery {
    private(set) var sent: [(code: String, account: String, purpose: CodePurpose)] = []
    var failNext = false

    func send(code: String, to account: String, purpose: CodePurpose) async throws {
        if failNext {
            failNext = false
            throw DeliveryFailure()
        }
        sent.append((code, account, purpose))
    }

    func setFailNext() { failNext = true }
    var lastCode: String? { sent.last?.code }

    struct DeliveryFailure: Error {}
}

func testHashingKey() throws -> CodeHashingKey {
    try CodeHashingKey(SecretBytes([UInt8](repeating: 0x42, count: 32)))
}

/// The parent suite of every one-time code test, so `swift test --filter OneTimeCodes` selects them all.
@Suite struct OneTimeCodesTests {}
