import CBenchPeers
import CDeadbolt
@preconcurrency import Crypto
import Deadbolt

/// TOTP verification over a ±1 window (three HOTP values, RFC 6238 §5.2): Deadbolt against OpenSSL's one-shot HMAC()
/// and swift-crypto's HMAC, three times each, and against the limit of six SHA-1 compressions (with the key's inner
/// and outer pads precomputed, each HMAC of an 8-byte counter is one compression per pad).
struct HMACGroup {
    var settings: Settings

    func run() async throws -> GroupReport {
        var report = GroupReport(name: "hmac / totp")
        // RFC 6238 Appendix B's SHA-1 secret and a time in its table.
        let secret = Array("12345678901234567890".utf8)
        let step: UInt64 = 59 / 30
        let batch = settings.quick ? 2_000 : 20_000
        let code = try Self.hotpWithDeadbolt(secret: secret, counter: step)
        let swiftCryptoKey = SymmetricKey(data: secret)
        guard bench_openssl_totp_verify(1, secret, secret.count, step, code, 6) == 1,
            Self.verifyWithSwiftCrypto(key: swiftCryptoKey, step: step, code: code) == 1
        else { throw BenchError("TOTP peers disagree with Deadbolt") }

        let totp = try TOTP(secret: secret)
        let codeText = try totp.code(at: 59)
        guard try totp.match(codeText, at: 59) != nil else { throw BenchError("Deadbolt's TOTP missed its own code") }
        let deadboltName = "Deadbolt TOTP.match (key set up once)"
        let compressions = UInt64(batch) * 6
        var contenders = [
            Contender(name: deadboltName, operations: batch) {
                for _ in 0..<batch {
                    guard try totp.match(codeText, at: 59, window: .default) != nil else {
                        throw BenchError("Deadbolt missed the code")
                    }
                }
            },
            Contender(name: "Deadbolt TOTP(secret:) + match", operations: batch) {
                for _ in 0..<batch {
                    guard try TOTP(secret: secret).match(codeText, at: 59, window: .default) != nil else {
                        throw BenchError("Deadbolt missed the code")
                    }
                }
            },
            Contender(name: "Deadbolt HMAC.authenticationCode ×3", operations: batch) {
                for _ in 0..<batch {
                    guard try Self.verifyWithDeadbolt(secret: secret, step: step, code: code) == 1 else {
                        throw BenchError("Deadbolt's HMAC missed the code")
                    }
                }
            },
            Contender(name: "OpenSSL HMAC() ×3", operations: batch) {
                for _ in 0..<batch {
                    guard bench_openssl_totp_verify(1, secret, secret.count, step, code, 6) == 1 else {
                        throw BenchError("OpenSSL missed the code")
                    }
                }
            },
            Contender(name: "swift-crypto HMAC<Insecure.SHA1> ×3", operations: batch) {
                for _ in 0..<batch {
                    guard Self.verifyWithSwiftCrypto(key: swiftCryptoKey, step: step, code: code) == 1 else {
                        throw BenchError("swift-crypto missed the code")
                    }
                }
            },
            Contender(name: "compression: OpenSSL SHA1_Transform", operations: Int(compressions)) {
                _ = dbt_pbkdf2_compress_chain(DBT_PBKDF2_LIBCRYPTO_TRANSFORM, DBT_SHA1, compressions)
            },
        ]
        if dbt_pbkdf2_has_sha_ni(DBT_SHA1) == 1 {
            contenders.append(
                Contender(name: "compression: Deadbolt SHA-NI", operations: Int(compressions)) {
                    _ = dbt_pbkdf2_compress_chain(DBT_PBKDF2_SHA_NI, DBT_SHA1, compressions)
                })
        }
        let verifiers = 5
        let runOrder = [0] + Array(verifiers..<contenders.count) + Array(1..<verifiers)
        let summaries = try await Harness.interleave(contenders, rounds: settings.quick ? 3 : 11, runOrder: runOrder)
        let workload = "TOTP verify, HMAC-SHA-1, 6 digits, ±1 window"
        report.add(
            workload: workload, names: contenders.prefix(verifiers).map { $0.name },
            summaries: Array(summaries.prefix(verifiers)), unit: "seconds/op", reference: deadboltName,
            notes: [
                "Deadbolt TOTP(secret:) + match": "a service that rebuilds the key per request",
                "Deadbolt HMAC.authenticationCode ×3": "the generic HMAC API, for comparison",
            ])
        for index in verifiers..<contenders.count {
            report.rows.append(
                Row(
                    workload: workload, implementation: contenders[index].name, unit: "seconds/op",
                    summary: summaries[index], ratio: nil, note: "one call"))
        }
        let limit = Summary.fastest(of: Array(summaries[verifiers...])).scaled(by: 6)
        let share = Summary.ratios(limit, summaries[0])
        report.rows.append(
            Row(
                workload: workload, implementation: "limit: 6 × compression", unit: "seconds/op", summary: limit,
                ratio: share.median,
                note: String(format: "Deadbolt at %.0f%% of the limit", 100 * share.median)))
        report.notes.append(
            "Every verifier computes all three candidates; the limit counts two compressions per HMAC, the key's "
                + "inner and outer pads being absorbed once per key.")
        return report
    }

    /// RFC 4226 §5.3 dynamic truncation of an HMAC-SHA-1 tag to 6 digits.
    static func truncate(_ tag: UnsafeRawBufferPointer) -> UInt32 {
        let offset = Int(tag[tag.count - 1] & 0x0f)
        let binary =
            UInt32(tag[offset] & 0x7f) << 24 | UInt32(tag[offset + 1]) << 16 | UInt32(tag[offset + 2]) << 8
            | UInt32(tag[offset + 3])
        return binary % 1_000_000
    }

    static func counterBytes(_ counter: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * $0)) }
    }

    static func hotpWithDeadbolt(secret: [UInt8], counter: UInt64) throws -> UInt32 {
        let tag = try Deadbolt.HMAC.authenticationCode(for: counterBytes(counter), using: secret, hash: .sha1)
        return tag.withUnsafeBytes { truncate($0) }
    }

    /// Returns the index of the matching step in step-1...step+1, or -1; all three are always computed.
    static func verifyWithDeadbolt(secret: [UInt8], step: UInt64, code: UInt32) throws -> Int {
        var found = -1
        for index in 0..<3 {
            let candidate = try hotpWithDeadbolt(secret: secret, counter: step - 1 + UInt64(index))
            let equal = withUnsafeBytes(of: candidate.bigEndian) { a in
                withUnsafeBytes(of: code.bigEndian) { b in ConstantTime.equals(Array(a), Array(b)) }
            }
            if equal, found < 0 { found = index }
        }
        return found
    }

    static func verifyWithSwiftCrypto(key: SymmetricKey, step: UInt64, code: UInt32) -> Int {
        var found = -1
        for index in 0..<3 {
            let tag = Crypto.HMAC<Insecure.SHA1>.authenticationCode(
                for: counterBytes(step - 1 + UInt64(index)), using: key)
            let candidate = tag.withUnsafeBytes { truncate($0) }
            if candidate == code, found < 0 { found = index }
        }
        return found
    }
}

/// A delivery that sends nothing, so an issue costs only Deadbolt's own work.
struct DiscardingDelivery: CodeDelivery {
    func send(code: String, to account: String, purpose: CodePurpose) async throws {}
}

/// Uniform 6-digit code generation.
struct CodesGroup {
    var settings: Settings

    func run() async throws -> GroupReport {
        var report = GroupReport(name: "codes")
        let batch = settings.quick ? 10_000 : 100_000
        // A whole SMS/e-mail code issue in the in-memory store, without a cooldown so one account can be reissued.
        let sender = try IssuedCodeSender(
            store: InMemoryStateStore(), delivery: DiscardingDelivery(),
            hashingKey: CodeHashingKey(SecretBytes([UInt8](repeating: 7, count: 32))),
            policy: IssuedCodePolicy(format: .numeric(digits: 6), resendCooldown: .zero))
        let contenders = [
            Contender(name: "OpenSSL RAND_bytes per code", operations: batch) {
                for _ in 0..<batch where bench_openssl_random_code() < 0 { throw BenchError("RAND_bytes failed") }
            },
            Contender(name: "Deadbolt RecoveryCodes.generate(count: 1)", operations: batch) {
                for _ in 0..<batch { _ = try RecoveryCodes.generate(count: 1) }
            },
            Contender(name: "Deadbolt IssuedCodeSender.issue", operations: batch / 10) {
                for _ in 0..<batch / 10 {
                    _ = try await sender.issue(account: "bench", purpose: .signInStepUp, binding: [1, 2, 3])
                }
            },
        ]
        let summaries = try await Harness.interleave(contenders, rounds: settings.quick ? 3 : 11)
        report.add(
            workload: "6-digit uniform code", names: [contenders[0].name], summaries: [summaries[0]],
            unit: "seconds/op", reference: "")
        report.add(
            workload: "13-symbol recovery code", names: [contenders[1].name], summaries: [summaries[1]],
            unit: "seconds/op", reference: "",
            notes: [contenders[1].name: "same draw routine, 13 symbols of 31"])
        report.add(
            workload: "6-digit code issued", names: [contenders[2].name], summaries: [summaries[2]],
            unit: "seconds/op", reference: "",
            notes: [contenders[2].name: "draw + HMAC-SHA-256 digest + in-memory store"])
        report.notes.append(
            "Deadbolt's 6-digit generator (CodeAlphabet.draw, used by IssuedCodeSender) is internal to the Deadbolt "
                + "module, so the benchmark cannot time it alone; RecoveryCodes.generate (the same routine) and a whole "
                + "IssuedCodeSender.issue are shown instead, with no ratio.")
        return report
    }
}
