import CBenchPeers
import CDeadbolt
import Deadbolt

/// Argon2id at OWASP's and RFC 9106's parameters: Deadbolt (directly and through its hashing pool) against libargon2
/// and libsodium called directly, on the same password and salt.
struct Argon2Group {
    var settings: Settings

    struct Workload {
        var name: String
        var parameters: Argon2.Parameters
    }

    var workloads: [Workload] {
        // OWASP Password Storage Cheat Sheet (Argon2id: m=19 MiB t=2 p=1, m=46 MiB t=1 p=1); RFC 9106 §4 second
        // recommended option (t=3 p=4 m=64 MiB). --quick divides the memory by 16 so CI runs in seconds.
        let full: [(String, Argon2.Parameters)] = [
            ("OWASP m=19 MiB t=2 p=1", .owasp19MiB), ("OWASP m=46 MiB t=1 p=1", .owasp46MiB),
            ("RFC 9106 m=64 MiB t=3 p=4", .rfc9106SecondRecommended),
        ]
        return full.map { name, parameters in
            guard settings.quick else { return Workload(name: "argon2id " + name, parameters: parameters) }
            var scaled = parameters
            scaled.memoryKiB = parameters.memoryKiB / 16
            return Workload(name: "argon2id \(name) ÷16: m=\(scaled.memoryKiB) KiB", parameters: scaled)
        }
    }

    func run() async throws -> GroupReport {
        var report = GroupReport(name: "argon2")
        guard bench_sodium_init() == 1 else { throw BenchError("sodium_init failed") }
        let password = Array("correct horse battery staple".utf8)
        let salt = Array("deadbolt-bench!!".utf8)  // 16 bytes: libsodium's crypto_pwhash_SALTBYTES
        let pool = HashingPool(workerCount: Harness.cores, memoryBudgetBytes: 1 << 30)
        for workload in workloads {
            let parameters = workload.parameters
            let hasher = try PasswordHasher(
                for: .password, algorithm: .argon2(parameters), keyring: nil, pool: pool)
            let single = parameters.parallelism == 1
            try checkAgreement(parameters: parameters, password: password, salt: salt, withSodium: single)

            // Latency: one hash at a time.
            var contenders = [
                Contender(name: "Deadbolt Argon2.hash", operations: 1) {
                    _ = try Argon2.hash(password: password, salt: salt, parameters: parameters, tagLength: 32)
                },
                Contender(name: "Deadbolt PasswordHasher (pool)", operations: 1) {
                    _ = try await hasher.hash(SecretBytes(password))
                },
                Contender(name: "libargon2 argon2id_hash_raw", operations: 1) {
                    try Self.libargon2(parameters, password, salt)
                },
            ]
            if single {
                contenders.append(
                    Contender(name: "libsodium crypto_pwhash", operations: 1) {
                        try Self.sodium(parameters, password, salt)
                    })
            }
            let rounds = settings.quick ? 3 : (parameters.parallelism > 1 ? 7 : 11)
            let latency = try await Harness.interleave(contenders, rounds: rounds)
            report.add(
                workload: workload.name + ", latency", names: contenders.map(\.name), summaries: latency,
                unit: "seconds/op", reference: "Deadbolt Argon2.hash",
                notes: ["Deadbolt PasswordHasher (pool)": "adds salt, PHC string, pool hand-off"])
            if !single { report.notes.append("\(workload.name): libsodium's crypto_pwhash supports p=1 only, so it is not run.") }

            // Throughput: 1 hash at a time, then as many at once as there are cores.
            for workers in Set([1, Harness.cores]).sorted() {
                let perWorker = settings.quick ? 1 : 2
                var throughput = [
                    Contender(name: "Deadbolt Argon2.hash", operations: workers * perWorker) {
                        try Harness.concurrently(workers) { _ in
                            for _ in 0..<perWorker {
                                _ = try Argon2.hash(password: password, salt: salt, parameters: parameters, tagLength: 32)
                            }
                        }
                    },
                    Contender(name: "Deadbolt PasswordHasher (pool)", operations: workers * perWorker) {
                        try await withThrowingTaskGroup(of: Void.self) { group in
                            for _ in 0..<workers {
                                group.addTask {
                                    for _ in 0..<perWorker { _ = try await hasher.hash(SecretBytes(password)) }
                                }
                            }
                            try await group.waitForAll()
                        }
                    },
                    Contender(name: "libargon2 argon2id_hash_raw", operations: workers * perWorker) {
                        try Harness.concurrently(workers) { _ in
                            for _ in 0..<perWorker { try Self.libargon2(parameters, password, salt) }
                        }
                    },
                ]
                if single {
                    throughput.append(
                        Contender(name: "libsodium crypto_pwhash", operations: workers * perWorker) {
                            try Harness.concurrently(workers) { _ in
                                for _ in 0..<perWorker { try Self.sodium(parameters, password, salt) }
                            }
                        })
                }
                let rates = try await Harness.interleave(throughput, rounds: settings.quick ? 2 : 5).map(\.inverted)
                report.add(
                    workload: workload.name + ", throughput, \(workers) at once", names: throughput.map(\.name),
                    summaries: rates, unit: "op/s", reference: "Deadbolt Argon2.hash")
            }
        }
        report.notes.append(
            "Deadbolt, libargon2 and libsodium produce the same tag for the same inputs (checked before timing).")
        report.notes.append("Deadbolt's Argon2 path on this CPU: \(Self.automaticPath).")
        report.notes.append("p=4 runs 4 lanes on \(Harness.cores) cores: libargon2 and Deadbolt use one thread per lane.")
        if settings.quick { report.notes.append("--quick: every workload's memory is divided by 16.") }
        return report
    }

    /// What `Argon2.hash` runs here (Deadbolt's own implementation for the CPU, or libargon2 as the fallback).
    static var automaticPath: String {
        switch dbt_argon2_automatic_implementation() {
        case DBT_ARGON2_AVX512: "Deadbolt's AVX-512 implementation"
        case DBT_ARGON2_AVX2: "Deadbolt's AVX2 implementation"
        case DBT_ARGON2_PORTABLE: "Deadbolt's portable implementation"
        default: "libargon2 (fallback)"
        }
    }

    private func checkAgreement(parameters: Argon2.Parameters, password: [UInt8], salt: [UInt8], withSodium: Bool) throws {
        let deadbolt = try Argon2.hash(password: password, salt: salt, parameters: parameters, tagLength: 32)
        var direct = [UInt8](repeating: 0, count: 32)
        guard
            bench_libargon2_id(
                parameters.iterations, parameters.memoryKiB, parameters.parallelism, password, password.count, salt,
                salt.count, &direct, direct.count) == 1, direct == deadbolt
        else { throw BenchError("Deadbolt and libargon2 disagree on \(parameters)") }
        if withSodium {
            var sodium = [UInt8](repeating: 0, count: 32)
            guard
                bench_sodium_pwhash(
                    parameters.iterations, parameters.memoryKiB, password, password.count, salt, &sodium, sodium.count)
                    == 1, sodium == deadbolt
            else { throw BenchError("Deadbolt and libsodium disagree on \(parameters)") }
        }
    }

    private static func libargon2(_ parameters: Argon2.Parameters, _ password: [UInt8], _ salt: [UInt8]) throws {
        var tag = [UInt8](repeating: 0, count: 32)
        guard
            bench_libargon2_id(
                parameters.iterations, parameters.memoryKiB, parameters.parallelism, password, password.count, salt,
                salt.count, &tag, tag.count) == 1
        else { throw BenchError("libargon2 failed") }
    }

    private static func sodium(_ parameters: Argon2.Parameters, _ password: [UInt8], _ salt: [UInt8]) throws {
        var tag = [UInt8](repeating: 0, count: 32)
        guard
            bench_sodium_pwhash(
                parameters.iterations, parameters.memoryKiB, password, password.count, salt, &tag, tag.count) == 1
        else { throw BenchError("libsodium crypto_pwhash failed") }
    }
}
