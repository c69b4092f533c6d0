import Testing

@testable import Deadbolt

@Suite struct EncodingTests {
    @Test func hexRoundTripAndRefusals() {
        #expect(Hex.encode([0x00, 0xab, 0xff]) == "00abff")
        #expect(Hex.decode("00ABff") == [0x00, 0xab, 0xff])
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0x00") == nil)
    }

    /// RFC 4648 §10 test vectors.
    @Test(arguments: [
        ("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ])
    func phcBase64MatchesRFC4648(plain: String, encoded: String) {
        #expect(Base64Dialect.phc.encode(Array(plain.utf8)) == encoded)
        #expect(Base64Dialect.phc.decode(encoded) == Array(plain.utf8))
    }

    @Test func standardBase64IsPadded() {
        #expect(Base64Dialect.standard.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64Dialect.standard.decode("Zm8=") == Array("fo".utf8))
        #expect(Base64Dialect.standard.decode("Zm8") == nil)
        #expect(Base64Dialect.phc.decode("Zm8=") == nil)
    }

    @Test func passlibUsesDotForPlus() {
        let bytes: [UInt8] = [0xfb, 0xef, 0xbe]
        #expect(Base64Dialect.phc.encode(bytes) == "++++")
        #expect(Base64Dialect.passlib.encode(bytes) == "....")
        #expect(Base64Dialect.passlib.decode("....") == bytes)
        #expect(Base64Dialect.passlib.decode("++++") == nil)
    }

    @Test func nonCanonicalTailsAreRefused() {
        // "Zg" is canonical for "f"; "Zh" carries non-zero leftover bits.
        #expect(Base64Dialect.phc.decode("Zh") == nil)
        #expect(Base64Dialect.phc.decode("Zm9") == nil)
        #expect(Base64Dialect.phc.decode("Z") == nil)
        #expect(Base64Dialect.phc.decode("Zm 8") == nil)
    }

    @Test func randomBytesRoundTripInEveryDialect() throws {
        for length in 0..<40 {
            let bytes = try SecureRandom.bytes(count: length)
            for dialect in [Base64Dialect.phc, .passlib, .standard] {
                #expect(dialect.decode(dialect.encode(bytes)) == bytes)
            }
        }
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!ConstantTime.equals([1, 2, 3] as [UInt8], [1, 2] as [UInt8]))
        #expect(ConstantTime.equals([] as [UInt8], [] as [UInt8]))
    }

    @Test func secretBytesNeverPrintTheirContent() {
        let secret = SecretBytes(utf8: "482913")
        #expect(secret.count == 6)
        #expect(!"\(secret)".contains("482913"))
        #expect(!String(reflecting: secret).contains("482913"))
        #expect(secret.withUnsafeBytes { Array($0) } == Array("482913".utf8))
    }
}
