import CBenchPeers
import CDeadbolt
import Deadbolt
import Foundation

/// Argon2id at OWASP's and RFC 9106's parameters: what a service calls (`PasswordHasher.hash` and `verify`, on the
/// hashing pool) against libargon2 and libsodium called directly, on the same password and salt; and `Argon2.hash`
/// on the caller's thread for comparison. Every workload names the fill that ran (set with DEADBOLT_ARGON2_FILL).
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

    static let hashName = "Deadbolt PasswordHasher.hash"
    static let verifyName = "Deadbolt PasswordHasher.verify"
    static let directName = "Deadbolt Argon2.hash (caller's thread)"
    static let libargon2Name = "libargon2 argon2id_hash_raw"
    static let sodiumName = "libsodium crypto_pwhash"

    func run() async throws -> GroupReport {
        var report = GroupReport(name: "argon2")
        guard bench_sodium_init() == 1 else { throw BenchError("sodium_init failed") }
        let password = Array("correct horse battery staple".utf8)
        let salt = Array("deadbolt-bench!!".utf8)  // 16 bytes: libsodium's crypto_pwhash_SALTBYTES
        let pool = HashingPool(workerCount: Harness.cores, memoryBudgetBytes: 1 << 30)
        let fill = Self.fill
        for workload in workloads {
            let parameters = workload.parameters
            let hasher = try PasswordHasher(
                for: .password, algorithm: .argon2(parameters), keyring: nil, pool: pool)
            let single = parameters.parallelism == 1
            try checkAgreement(parameters: parameters, password: password, salt: salt, withSodium: single)
            let stored = try await hasher.hash(SecretBytes(password))
            guard try await hasher.verify(SecretBytes(password), against: stored) == .matched else {
                throw BenchError("PasswordHasher.verify does not match its own hash at \(parameters)")
            }
            let name = "\(workload.name) (\(fill) fill)"

            // Latency: one hash at a time.
            var operations: [(name: String, body: Body)] = [
                (Self.hashName, .async { _ = try await hasher.hash(SecretBytes(password)) }),
                (Self.verifyName, .async { _ = try await hasher.verify(SecretBytes(password), against: stored) }),
                (Self.directName, .blocking {
                    _ = try Argon2.hash(password: password, salt: salt, parameters: parameters, tagLength: 32)
                }),
                (Self.libargon2Name, .blocking { try Self.libargon2(parameters, password, salt) }),
            ]
            if single { operations.append((Self.sodiumName, .blocking { try Self.sodium(parameters, password, salt) })) }
            let settle = Self.settle(pool)
            let latencyContenders = operations.map { operation in
                Contender(name: operation.name, operations: 1, settle: operation.body.isAsync ? settle : nil) {
                    try await operation.body.run(times: 1)
                }
            }
            let rounds = settings.quick ? 3 : (single ? 11 : 7)
            let latency = try await Harness.interleave(latencyContenders, rounds: rounds)
            report.add(
                workload: name + ", latency", names: latencyContenders.map(\.name), summaries: latency,
                unit: "seconds/op", reference: Self.hashName,
                notes: Self.comparisons(names: latencyContenders.map(\.name), summaries: latency, faster: { $1 / $0 }))
            if !single {
                report.notes.append("\(workload.name): libsodium's crypto_pwhash supports p=1 only, so it is not run.")
            }

            // Throughput: 1 hash at a time, then as many in flight as there are cores.
            for inFlight in Set([1, Harness.cores]).sorted() {
                let perCaller = settings.quick ? 1 : 2
                let throughput = operations.map { operation in
                    Contender(
                        name: operation.name, operations: inFlight * perCaller,
                        settle: operation.body.isAsync ? settle : nil
                    ) {
                        try await operation.body.run(times: perCaller, callers: inFlight)
                    }
                }
                let rates = try await Harness.interleave(throughput, rounds: settings.quick ? 2 : 5).map(\.inverted)
                report.add(
                    workload: name + ", throughput, \(inFlight) in flight", names: throughput.map(\.name),
                    summaries: rates, unit: "op/s", reference: Self.hashName,
                    notes: Self.comparisons(names: throughput.map(\.name), summaries: rates, faster: { $0 / $1 }))
            }
        }

        // Where one PasswordHasher.hash spends its time, stage by stage, through the public calls it is made of.
        for workload in workloads where workload.parameters.parallelism == 1 {
            let stages = try await Self.stages(
                parameters: workload.parameters, password: password, pool: pool, rounds: settings.quick ? 3 : 21)
            report.add(
                workload: "\(workload.name) (\(fill) fill), stages of one hash", names: stages.map(\.name),
                summaries: stages.map(\.summary), unit: "seconds/op", reference: "", notes: Self.stageNotes)
        }

        // The pool's own cost per call, with nothing to hash: admission, the hand-off to a worker, the resumption.
        let roundTrip = [
            Contender(name: "Deadbolt HashingPool.run, empty work", operations: 100) {
                for _ in 0..<100 { try await pool.run(memoryBytes: 0) {} }
            }
        ]
        report.add(
            workload: "pool round trip (admission, hand-off, resumption)", names: roundTrip.map(\.name),
            summaries: try await Harness.interleave(roundTrip, rounds: settings.quick ? 3 : 11), unit: "seconds/op",
            reference: roundTrip[0].name)

        report.notes.append(
            "Deadbolt, libargon2 and libsodium produce the same tag for the same inputs, and verify matches hash "
                + "(checked before timing).")
        report.notes.append(
            "Fill: \(Self.fillDescription). PasswordHasher runs on a HashingPool (\(Harness.cores) workers, 1 GiB "
                + "budget) whose arenas are reused and wiped after the caller has its answer (each Deadbolt row then "
                + "waits, untimed, for that wipe, so it never runs into the next contender's time); Argon2.hash and "
                + "the peers allocate fresh memory on each call.")
        report.notes.append(
            "Notes on rows: how many times faster PasswordHasher.hash is than that row, per round (the median of the "
                + "round-by-round ratios, p10–p90); for verify, its time or rate against hash's.")
        report.notes.append("p=4 runs 4 lanes on \(Harness.cores) cores: libargon2 and Deadbolt use one thread per lane.")
        if settings.quick { report.notes.append("--quick: every workload's memory is divided by 16.") }
        return report
    }

    static let stageNotes = [
        "salt": "SecureRandom.bytes(count: 16)",
        "admission and hand-off": "run called → the worker starts the work (arena lent)",
        "Argon2 in the arena": "H0, fill, tag; the blocks stay for the wipe",
        "resumption": "work returns → the caller runs again",
        "PHC encoding": "StoredHash(…).encoded",
    ]

    /// One `PasswordHasher.hash` taken apart into the public calls it makes (`SecureRandom.bytes`, `HashingPool.run`
    /// around `Argon2.hash`, `StoredHash.encoded`), with a timestamp between each, `rounds` times one after another.
    /// The arena's wipe runs after the resumption, on the worker, and is in no stage (each round waits for it).
    static func stages(parameters: Argon2.Parameters, password: [UInt8], pool: HashingPool, rounds: Int)
        async throws -> [(name: String, summary: Summary)]
    {
        let names = ["salt", "admission and hand-off", "Argon2 in the arena", "resumption", "PHC encoding"]
        var samples = Array(repeating: [Double](), count: names.count + 1)
        for round in 0...rounds {
            let called = Harness.now()
            let salt = try SecureRandom.bytes(count: 16)
            let handedOver = Harness.now()
            let (tag, started, finished) = try await pool.run(memoryBytes: parameters.memoryBytes) {
                let started = Harness.now()
                let tag = try Argon2.hash(
                    password: SecretBytes(password), salt: salt, secret: SecretBytes([UInt8]()),
                    parameters: parameters, tagLength: 32)
                return (tag, started, Harness.now())
            }
            let resumed = Harness.now()
            let encoded = StoredHash(algorithm: .argon2(parameters), salt: salt, output: tag, pepperKeyID: nil).encoded
            let done = Harness.now()
            guard encoded.hasPrefix("$argon2id$") else { throw BenchError("unexpected encoding \(encoded)") }
            try await settle(pool)()
            guard round > 0 else { continue }  // the first warms up
            let marks = [called, handedOver, started, finished, resumed, done]
            for stage in names.indices { samples[stage].append(Double(marks[stage + 1] - marks[stage]) / 1e9) }
            samples[names.count].append(Double(done - called) / 1e9)
        }
        return zip(names + ["total"], samples).map { ($0, Summary($1)) }
    }

    /// For each row but hash: how many times faster hash is, round by round (`faster(hash, row)`, so times and rates
    /// both read "above 1: hash is faster"); for verify the same ratio reads as its cost in units of hash's.
    static func comparisons(names: [String], summaries: [Summary], faster: (Double, Double) -> Double)
        -> [String: String]
    {
        guard let hashIndex = names.firstIndex(of: hashName) else { return [:] }
        let hash = summaries[hashIndex]
        var notes: [String: String] = [:]
        for (name, summary) in zip(names, summaries) where name != hashName {
            let ratios = Summary(zip(hash.values, summary.values).map { faster($0, $1) })
            if name == verifyName {
                // "How many times faster hash is than verify" is verify's cost in units of hash's.
                notes[name] = String(
                    format: "verify at %.2f× hash's cost (p10–p90 %.2f–%.2f)", ratios.median, ratios.p10, ratios.p90)
            } else {
                notes[name] = String(
                    format: "hash %.2f× faster (p10–p90 %.2f–%.2f)", ratios.median, ratios.p10, ratios.p90)
            }
        }
        return notes
    }

    /// One contender's operation: an async call (the pool) or a blocking C or Swift call (the peers, Argon2.hash).
    enum Body: Sendable {
        case async(@Sendable () async throws -> Void)
        case blocking(@Sendable () throws -> Void)

        var isAsync: Bool {
            if case .async = self { return true }
            return false
        }

        /// `times` operations by each of `callers` at once: tasks on the cooperative pool for an async call, as a
        /// service's request handlers would make it; threads of their own for a blocking one.
        func run(times: Int, callers: Int = 1) async throws {
            switch self {
            case .async(let body):
                guard callers > 1 else {
                    for _ in 0..<times { try await body() }
                    return
                }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<callers { group.addTask { for _ in 0..<times { try await body() } } }
                    try await group.waitForAll()
                }
            case .blocking(let body):
                guard callers > 1 else {
                    for _ in 0..<times { try body() }
                    return
                }
                try Harness.concurrently(callers) { _ in for _ in 0..<times { try body() } }
            }
        }
    }

    /// Waits until the pool's workers have wiped and returned their arenas (they do after resuming the caller), so
    /// that the wipe is neither in the next contender's time nor in this one's.
    static func settle(_ pool: HashingPool) -> @Sendable () async throws -> Void {
        {
            while pool.usage.running > 0 { try await Task.sleep(for: .microseconds(50)) }
        }
    }

    /// The fill `Argon2.hash` and the pool run here, short.
    static var fill: String {
        switch dbt_argon2_automatic_implementation() {
        case DBT_ARGON2_AVX512: "AVX-512"
        case DBT_ARGON2_AVX2: "AVX2"
        case DBT_ARGON2_PORTABLE: "portable"
        default: "libargon2"
        }
    }

    /// What `Argon2.hash` runs here (Deadbolt's own implementation for the CPU, or libargon2 as the fallback), and why.
    static var fillDescription: String {
        let forced = ProcessInfo.processInfo.environment["DEADBOLT_ARGON2_FILL"]
        let how = forced.map { "DEADBOLT_ARGON2_FILL=\($0)" } ?? "chosen for this CPU"
        switch dbt_argon2_automatic_implementation() {
        case DBT_ARGON2_AVX512: return "Deadbolt's AVX-512 implementation (\(how))"
        case DBT_ARGON2_AVX2: return "Deadbolt's AVX2 implementation (\(how))"
        case DBT_ARGON2_PORTABLE: return "Deadbolt's portable implementation (\(how))"
        default: return "libargon2 (\(how))"
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
