import Testing

@testable import Deadbolt

/// The OTP fast path (`Sources/CDeadbolt/otp.c`: pads absorbed once, two compressions a step on blocks padded once)
/// against the reference, RFC 4226 §5.3 computed over OpenSSL's one-shot `HMAC()`, on pseudo-random secrets and
/// counters from a fixed seed, for every hash and digit count.
@Suite struct OTPDifferentialTests {
    /// RFC 4226 §5.3: dynamic truncation of HMAC(secret, counter) to `digits` decimal digits.
    static func reference(secret: [UInt8], counter: UInt64, hash: HashFunction, digits: Int) throws -> String {
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * $0)) }
        let mac = try HMAC.authenticationCode(for: message, using: secret, hash: hash)
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary = UInt32(mac[offset] & 0x7f) << 24 | UInt32(mac[offset + 1]) << 16 | UInt32(mac[offset + 2]) << 8
            | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    @Test(arguments: [HashFunction.sha1, .sha256, .sha512])
    func everyCodeMatchesTheReference(hash: HashFunction) throws {
        var random = PBKDF2DifferentialTests.SplitMix64(state: 0x0709_2026 ^ UInt64(hash.digestSize))
        for _ in 0..<400 {
            // Secrets from 10 bytes up to past the block size, where RFC 2104 hashes the key first.
            let secret = random.bytes(10 + random.below(hash.blockSize + 40))
            let digits = 6 + random.below(3)
            let counter = random.below(4) == 0 ? UInt64.max - UInt64(random.below(3)) : random.next()
            let hotp = try HOTP(secret: secret, hash: hash, digits: digits)
            let expected = try Self.reference(secret: secret, counter: counter, hash: hash, digits: digits)
            #expect(try hotp.code(counter: counter) == expected)
            // The window search finds the code, at this counter or at an earlier one that happens to share it.
            let first = counter >= 2 ? counter - 2 : 0
            let found = try #require(try hotp.match(expected, counter: first, lookAhead: Int(counter - first)))
            #expect(found.counter <= counter)
            #expect(try hotp.code(counter: found.counter) == expected)
        }
    }
}
