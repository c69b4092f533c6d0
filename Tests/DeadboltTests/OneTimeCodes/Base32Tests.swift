import Testing
@testable import Deadbolt

extension OneTimeCodesTests {
    @Suite struct Base32Tests {
        /// RFC 4648 §10 test vectors.
        static let vectors = [
            ("", "", ""), ("f", "MY======", "MY"), ("fo", "MZXQ====", "MZXQ"), ("foo", "MZXW6===", "MZXW6"),
            ("foob", "MZXW6YQ=", "MZXW6YQ"), ("fooba", "MZXW6YTB", "MZXW6YTB"), ("foobar", "MZXW6YTBOI======", "MZXW6YTBOI"),
        ]

        @Test func rfc4648Vectors() {
            for (plain, padded, unpadded) in Self.vectors {
                #expect(Base32.encode(Array(plain.utf8), padded: true) == padded)
                #expect(Base32.encode(Array(plain.utf8)) == unpadded)
                #expect(Base32.decode(padded) == Array(plain.utf8))
                #expect(Base32.decode(unpadded) == Array(plain.utf8))
            }
        }

        @Test func roundTripsEveryLength() throws {
            for length in 0...70 {
                let bytes = try SecureRandom.bytes(count: length)
                #expect(Base32.decode(Base32.encode(bytes)) == bytes)
                #expect(Base32.decode(Base32.encode(bytes, padded: true)) == bytes)
            }
        }

        @Test func lenientInput() {
            let expected = Array("foobar".utf8)
            #expect(Base32.decode("mzxw6ytboi") == expected)
            #expect(Base32.decode("mzxw 6ytb oi") == expected)
            #expect(Base32.decode("MZXW-6YTB-OI") == expected)
            #expect(Base32.decode("MzXw6YtBoI======") == expected)
            #expect(Base32.decode("JBSW Y3DP EHPK 3PXP") == Array("Hello!\u{DE}\u{AD}\u{BE}\u{EF}".unicodeScalars.map { UInt8($0.value) }))
        }

        @Test func refusesWhatIsNotBase32() {
            for text in ["MZXW1", "MZXW0YTB", "MZ=XW6YTB", "M", "MZX", "MZXW6Y", "MZXW6YTB=", "MY=", "MY======MY", "MZ",
                "========", "MZXW6YTBOI+=", "é"]
            {
                #expect(Base32.decode(text) == nil, "\(text)")
            }
            #expect(Base32.decode(String(repeating: "A", count: Base32.maximumEncodedLength + 8)) == nil)
        }
    }
}
