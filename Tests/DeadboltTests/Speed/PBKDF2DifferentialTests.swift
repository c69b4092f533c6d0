import CDeadbolt
import Testing

@testable import Deadbolt

/// The PBKDF2 fast path (`Sources/CDeadbolt/pbkdf2.c`) against OpenSSL's PKCS5_PBKDF2_HMAC, and its paths against
/// each other: every implementation must derive the same key from the same input. Inputs are pseudo-random from a
/// fixed seed, so a failure names an input that reproduces.
@Suite struct PBKDF2DifferentialTests {
    static let hashes: [HashFunction] = [.sha1, .sha256, .sha512]

    /// The implementations Deadbolt can run here, besides the OpenSSL reference.
    static func implementations(for hash: HashFunction) -> [(String, dbt_pbkdf2_implementation)] {
        var list: [(String, dbt_pbkdf2_implementation)] = [
            ("auto", DBT_PBKDF2_AUTO), ("portable", DBT_PBKDF2_PORTABLE),
            ("libcrypto transform", DBT_PBKDF2_LIBCRYPTO_TRANSFORM),
        ]
        if dbt_pbkdf2_has_sha_ni(hash.shimValue) == 1 { list.append(("SHA-NI", DBT_PBKDF2_SHA_NI)) }
        return list
    }

    static func derive(
        _ implementation: dbt_pbkdf2_implementation, _ hash: HashFunction, password: [UInt8], salt: [UInt8],
        iterations: UInt32, length: Int
    ) -> [UInt8]? {
        var key = [UInt8](repeating: 0, count: length)
        let status = password.withUnsafeBufferPointer { password in
            salt.withUnsafeBufferPointer { salt in
                key.withUnsafeMutableBufferPointer { key in
                    dbt_pbkdf2_with(
                        implementation, hash.shimValue, password.baseAddress, password.count, salt.baseAddress,
                        salt.count, iterations, key.baseAddress, key.count)
                }
            }
        }
        return status == 1 ? key : nil
    }

    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
    }

    @Test(arguments: hashes)
    func everyPathMatchesOpenSSLOnRandomInputs(hash: HashFunction) throws {
        var random = SplitMix64(state: 0x6465_6164_626f_6c74 ^ UInt64(hash.digestSize))
        let implementations = Self.implementations(for: hash)
        var mismatches: [String] = []
        for index in 0..<1000 {
            // Passwords past the block size (64 or 128) are hashed first (RFC 2104 §2); keys past the digest size
            // take several PBKDF2 blocks (RFC 8018 §5.2 step 2).
            let password = random.bytes(random.below(301))
            let salt = random.bytes(random.below(101))
            let iterations = UInt32(1 + random.below(50))
            let length = 1 + random.below(200)
            let reference = Self.derive(
                DBT_PBKDF2_OPENSSL, hash, password: password, salt: salt, iterations: iterations, length: length)
            for (name, implementation) in implementations {
                let key = Self.derive(
                    implementation, hash, password: password, salt: salt, iterations: iterations, length: length)
                if key == nil || key != reference {
                    mismatches.append(
                        "\(name) #\(index): password \(password.count) B, salt \(salt.count) B, c=\(iterations), dkLen \(length)")
                }
            }
            let swiftKey = try PBKDF2.deriveKey(
                password: password, salt: salt, hash: hash, iterations: iterations, keyLength: length)
            if swiftKey != reference { mismatches.append("PBKDF2.deriveKey #\(index)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    /// Lengths at the edges of a block and of the padding (FIPS 180-4 §5.1: the 0x80 byte and the length must fit
    /// after the message, or spill into another block), where a buffering bug would show.
    @Test(arguments: hashes)
    func blockAndPaddingEdges(hash: HashFunction) {
        let block = hash.blockSize
        let lengthField = block / 8
        let passwordLengths = [0, 1, block - 1, block, block + 1, 2 * block + 1]
        // salt ‖ INT(i) follows one key block: these salt lengths put the padding's edges exactly at the boundary.
        let saltLengths = [0, block - lengthField - 5, block - lengthField - 4, block - lengthField - 3, block - 4, block]
        var random = SplitMix64(state: 42)
        for passwordLength in passwordLengths {
            for saltLength in saltLengths {
                let password = random.bytes(passwordLength), salt = random.bytes(saltLength)
                let length = 2 * hash.digestSize + 1
                let reference = Self.derive(
                    DBT_PBKDF2_OPENSSL, hash, password: password, salt: salt, iterations: 3, length: length)
                for (name, implementation) in Self.implementations(for: hash) {
                    let key = Self.derive(
                        implementation, hash, password: password, salt: salt, iterations: 3, length: length)
                    #expect(key == reference, "\(name): password \(passwordLength) B, salt \(saltLength) B")
                }
            }
        }
    }

    /// The portable path forced against the SHA-NI path over longer runs, where the loops do almost all the work.
    @Test(arguments: [HashFunction.sha1, .sha256])
    func portablePathMatchesSHANIOverLongRuns(hash: HashFunction) throws {
        try #require(dbt_pbkdf2_has_sha_ni(hash.shimValue) == 1, "this CPU has no SHA extensions")
        var random = SplitMix64(state: 7)
        for iterations: UInt32 in [2, 3, 1000, 4097] {
            let password = random.bytes(20), salt = random.bytes(16)
            let portable = Self.derive(
                DBT_PBKDF2_PORTABLE, hash, password: password, salt: salt, iterations: iterations, length: 64)
            let shaNI = Self.derive(
                DBT_PBKDF2_SHA_NI, hash, password: password, salt: salt, iterations: iterations, length: 64)
            #expect(portable != nil)
            #expect(portable == shaNI, "c=\(iterations)")
        }
    }

    /// RFC 6070 §2, PBKDF2-HMAC-SHA1 "password"/"salt", c=4096, dkLen=20, on every path.
    @Test func rfc6070OnEveryPath() {
        let expected = Hex.decode("4b007901b765489abead49d926f721d065a429c1")
        for (name, implementation) in Self.implementations(for: .sha1) + [("OpenSSL", DBT_PBKDF2_OPENSSL)] {
            let key = Self.derive(
                implementation, .sha1, password: Array("password".utf8), salt: Array("salt".utf8), iterations: 4096,
                length: 20)
            #expect(key == expected, "\(name)")
        }
    }

    @Test func refusals() {
        let password = Array("password".utf8), salt = Array("salt".utf8)
        for (_, implementation) in Self.implementations(for: .sha256) {
            #expect(Self.derive(implementation, .sha256, password: password, salt: salt, iterations: 0, length: 32) == nil)
            #expect(
                Self.derive(
                    implementation, .sha256, password: password, salt: salt, iterations: UInt32(Int32.max) + 1,
                    length: 32) == nil)
        }
        // SHA-512 has no SHA extension on x86: the SHA-NI path refuses it rather than silently running another.
        #expect(Self.derive(DBT_PBKDF2_SHA_NI, .sha512, password: password, salt: salt, iterations: 1, length: 64) == nil)
        #expect(dbt_pbkdf2_has_sha_ni(DBT_SHA512) == 0)
        var key = [UInt8](repeating: 0, count: 32)
        #expect(dbt_pbkdf2_with(dbt_pbkdf2_implementation(rawValue: 99), DBT_SHA256, nil, 0, nil, 0, 1, &key, 32) == 0)
        #expect(dbt_pbkdf2_with(DBT_PBKDF2_AUTO, dbt_hash(rawValue: 9), nil, 0, nil, 0, 1, &key, 32) == 0)
    }
}
