import CBenchPeers
import CDeadbolt
@preconcurrency import Crypto
import Deadbolt
import _CryptoExtras

/// PBKDF2-HMAC at the iteration counts: Deadbolt against OpenSSL's PKCS5_PBKDF2_HMAC and swift-crypto, and
/// against the limit of two compression-function calls per iteration, with the compression timed in the same rounds.
struct PBKDF2Group {
    var settings: Settings

    struct Workload {
        var hash: Deadbolt.HashFunction
        var iterations: UInt32
    }

    var workloads: [Workload] {
        // The "Speed" issue's counts; --quick divides them by 50.
        let full: [Workload] = [
            Workload(hash: .sha1, iterations: 1_400_000), Workload(hash: .sha256, iterations: 600_000),
            Workload(hash: .sha512, iterations: 220_000),
        ]
        return settings.quick ? full.map { Workload(hash: $0.hash, iterations: $0.iterations / 50) } : full
    }

    func run() async throws -> GroupReport {
        var report = GroupReport(name: "pbkdf2")
        let password = Array("correct horse battery staple".utf8)
        let salt = Array("deadbolt-bench!!".utf8)
        for workload in workloads {
            let hash = workload.hash, iterations = workload.iterations, length = hash.digestSize
            try checkAgreement(hash: hash, password: password, salt: salt)
            let compressions = UInt64(iterations) * 2
            var contenders = [
                Contender(name: "Deadbolt PBKDF2.deriveKey", operations: 1) {
                    _ = try PBKDF2.deriveKey(
                        password: password, salt: salt, hash: hash, iterations: iterations, keyLength: length)
                },
                Contender(name: "Deadbolt portable path (plain C)", operations: 1) {
                    try Self.deadbolt(DBT_PBKDF2_PORTABLE, hash, password, salt, iterations)
                },
                Contender(name: "OpenSSL PKCS5_PBKDF2_HMAC", operations: 1) {
                    var key = [UInt8](repeating: 0, count: length)
                    guard
                        bench_openssl_pbkdf2(
                            Int32(hash.number), password, password.count, salt, salt.count, iterations, &key,
                            key.count) == 1
                    else { throw BenchError("PKCS5_PBKDF2_HMAC failed") }
                },
                Contender(name: "swift-crypto KDF.Insecure.PBKDF2", operations: 1) {
                    _ = try KDF.Insecure.PBKDF2.deriveKey(
                        from: password, salt: salt, using: hash.swiftCrypto, outputByteCount: length,
                        unsafeUncheckedRounds: Int(iterations))
                },
            ]
            // The compression function alone, chained as PBKDF2 chains it, as many calls as one derivation makes.
            var compressionNames = ["compression: OpenSSL \(hash.transformName)"]
            contenders.append(
                Contender(name: compressionNames[0], operations: Int(compressions)) {
                    _ = dbt_pbkdf2_compress_chain(DBT_PBKDF2_LIBCRYPTO_TRANSFORM, hash.shim, compressions)
                })
            if dbt_pbkdf2_has_sha_ni(hash.shim) == 1 {
                compressionNames.append("compression: Deadbolt SHA-NI")
                contenders.append(
                    Contender(name: compressionNames[1], operations: Int(compressions)) {
                        _ = dbt_pbkdf2_compress_chain(DBT_PBKDF2_SHA_NI, hash.shim, compressions)
                    })
            }
            // Deadbolt runs next to the compression chains, so each round pairs figures taken moments apart.
            let derivations = contenders.count - compressionNames.count
            let runOrder = [0] + Array(derivations..<contenders.count) + Array(1..<derivations)
            let summaries = try await Harness.interleave(
                contenders, rounds: settings.quick ? 3 : 11, runOrder: runOrder)
            let name = "PBKDF2-HMAC-\(hash.rawValue) ×\(iterations)"
            report.add(
                workload: name, names: contenders.prefix(derivations).map { $0.name },
                summaries: Array(summaries.prefix(derivations)), unit: "seconds/op",
                reference: "Deadbolt PBKDF2.deriveKey")
            for (offset, compressionName) in compressionNames.enumerated() {
                report.rows.append(
                    Row(
                        workload: name, implementation: compressionName, unit: "seconds/op",
                        summary: summaries[derivations + offset], ratio: nil, note: "one call"))
            }
            // The limit: two calls of the fastest compression measured in each round, per iteration.
            let limit = Summary.fastest(of: Array(summaries[derivations...])).scaled(by: Double(compressions))
            let share = Summary.ratios(limit, summaries[0])
            report.rows.append(
                Row(
                    workload: name, implementation: "limit: 2 × compression × iterations", unit: "seconds/op",
                    summary: limit, ratio: share.median,
                    note: String(
                        format: "Deadbolt at %.0f%% of the limit (p10–p90 %.0f–%.0f%%)", 100 * share.median,
                        100 * share.p10, 100 * share.p90)))
        }
        report.notes.append(
            "Deadbolt, its portable path, OpenSSL and swift-crypto derive the same keys (checked before timing).")
        report.notes.append(
            "The limit is two calls per iteration of the fastest compression measured in each round; Deadbolt's share "
                + "of it is the median over rounds of limit ÷ Deadbolt, each pair measured back to back.")
        let paths = [Deadbolt.HashFunction.sha1, .sha256, .sha512].map { (hash: Deadbolt.HashFunction) -> String in
            let path = dbt_pbkdf2_has_sha_ni(hash.shim) == 1 ? "SHA-NI loop" : "loop over libcrypto's SHA*_Transform"
            return hash.rawValue + ": " + path
        }
        report.notes.append("Deadbolt's path on this CPU: " + paths.joined(separator: ", ") + ".")
        return report
    }

    private func checkAgreement(hash: Deadbolt.HashFunction, password: [UInt8], salt: [UInt8]) throws {
        let deadbolt = try PBKDF2.deriveKey(
            password: password, salt: salt, hash: hash, iterations: 1000, keyLength: 2 * hash.digestSize + 3)
        var openssl = [UInt8](repeating: 0, count: deadbolt.count)
        var portable = [UInt8](repeating: 0, count: deadbolt.count)
        guard
            bench_openssl_pbkdf2(
                Int32(hash.number), password, password.count, salt, salt.count, 1000, &openssl, openssl.count) == 1,
            dbt_pbkdf2_with(
                DBT_PBKDF2_PORTABLE, hash.shim, password, password.count, salt, salt.count, 1000, &portable,
                portable.count) == 1
        else { throw BenchError("PBKDF2 peer failed") }
        let swiftCrypto = try KDF.Insecure.PBKDF2.deriveKey(
            from: password, salt: salt, using: hash.swiftCrypto, outputByteCount: deadbolt.count,
            unsafeUncheckedRounds: 1000
        ).withUnsafeBytes { Array($0) }
        guard deadbolt == openssl, deadbolt == portable, deadbolt == swiftCrypto else {
            throw BenchError("PBKDF2-\(hash.rawValue): implementations disagree")
        }
    }

    private static func deadbolt(
        _ implementation: dbt_pbkdf2_implementation, _ hash: Deadbolt.HashFunction, _ password: [UInt8], _ salt: [UInt8],
        _ iterations: UInt32
    ) throws {
        var key = [UInt8](repeating: 0, count: hash.digestSize)
        guard
            dbt_pbkdf2_with(
                implementation, hash.shim, password, password.count, salt, salt.count, iterations, &key, key.count)
                == 1
        else { throw BenchError("dbt_pbkdf2_with failed") }
    }
}

extension Deadbolt.HashFunction {
    /// dbt_hash's number (1, 2, 3), which the peers' C functions share.
    var number: Int {
        switch self {
        case .sha1: 1
        case .sha256: 2
        case .sha512: 3
        }
    }

    var shim: dbt_hash { dbt_hash(rawValue: UInt32(number)) }

    var swiftCrypto: KDF.Insecure.PBKDF2.HashFunction {
        switch self {
        case .sha1: .insecureSHA1
        case .sha256: .sha256
        case .sha512: .sha512
        }
    }

    var transformName: String {
        switch self {
        case .sha1: "SHA1_Transform"
        case .sha256: "SHA256_Transform"
        case .sha512: "SHA512_Transform"
        }
    }
}
