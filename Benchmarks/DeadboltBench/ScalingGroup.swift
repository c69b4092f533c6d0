import Deadbolt

/// How each cost grows with its work, for a reader to check: Argon2's time should grow linearly with memory, PBKDF2's
/// linearly with iterations, and throughput with workers up to the number of cores, then stay flat.
struct ScalingGroup {
    var settings: Settings

    func run() async throws -> GroupReport {
        var report = GroupReport(name: "scaling")
        let password = Array("correct horse battery staple".utf8)
        let salt = Array("deadbolt-bench!!".utf8)
        let rounds = settings.quick ? 3 : 11

        // Argon2id t=1 p=1 over memory.
        let mebibytes = settings.quick ? [1, 2, 4] : [1, 2, 4, 8, 16]
        let argon2 = mebibytes.map { mib in
            Contender(name: "\(mib) MiB", operations: 1) {
                let parameters = Argon2.Parameters(memoryKiB: UInt32(mib * 1024), iterations: 1, parallelism: 1)
                _ = try Argon2.hash(password: password, salt: salt, parameters: parameters, tagLength: 32)
            }
        }
        report.scaling += Self.rows(
            series: "Deadbolt Argon2id t=1 p=1, time", work: mebibytes.map(Double.init),
            labels: mebibytes.map { "m=\($0) MiB" }, unit: "seconds/op",
            summaries: try await Harness.interleave(argon2, rounds: rounds))

        // PBKDF2-HMAC-SHA-256 over iterations.
        let counts: [UInt32] = (settings.quick ? [1_000, 2_000, 4_000] : [10_000, 20_000, 40_000, 80_000, 160_000])
        let pbkdf2 = counts.map { iterations in
            Contender(name: "\(iterations)", operations: 1) {
                _ = try PBKDF2.deriveKey(
                    password: password, salt: salt, hash: .sha256, iterations: iterations, keyLength: 32)
            }
        }
        report.scaling += Self.rows(
            series: "Deadbolt PBKDF2-HMAC-SHA-256, time", work: counts.map(Double.init),
            labels: counts.map { "c=\($0)" }, unit: "seconds/op",
            summaries: try await Harness.interleave(pbkdf2, rounds: rounds))

        // Argon2id throughput over concurrent workers, 1 … cores.
        let workers = Array(1...Harness.cores)
        let parameters = settings.quick
            ? Argon2.Parameters(memoryKiB: 2048, iterations: 2, parallelism: 1) : Argon2.Parameters.owasp19MiB
        let perWorker = settings.quick ? 2 : 4
        let throughput = workers.map { count in
            Contender(name: "\(count)", operations: count * perWorker) {
                try Harness.concurrently(count) { _ in
                    for _ in 0..<perWorker {
                        _ = try Argon2.hash(password: password, salt: salt, parameters: parameters, tagLength: 32)
                    }
                }
            }
        }
        report.scaling += Self.rows(
            series: "Deadbolt Argon2id m=\(parameters.memoryKiB) KiB t=2 p=1, hashes/s", work: workers.map(Double.init),
            labels: workers.map { "\($0) workers" }, unit: "op/s",
            summaries: try await Harness.interleave(throughput, rounds: settings.quick ? 2 : 5).map(\.inverted))
        report.notes.append(
            "÷ first: the median over rounds of this row's figure over the first row's in the same round; per unit: "
                + "that divided by the ratio of the work, so 1.00 is linear growth "
                + "(for hashes/s: every added worker adds a whole worker's rate, which holds up to the core count).")
        return report
    }

    static func rows(series: String, work: [Double], labels: [String], unit: String, summaries: [Summary]) -> [ScalingRow] {
        guard let first = summaries.first, let firstWork = work.first else { return [] }
        return zip(zip(work, labels), summaries).map { item, summary in
            // Round by round, so drift between rounds does not tilt the ratio (see Summary.ratios).
            let ratio = Summary.ratios(summary, first).median
            return ScalingRow(
                series: series, work: item.0, workLabel: item.1, unit: unit, summary: summary, ratioToFirst: ratio,
                ratioPerUnitOfWork: ratio / (item.0 / firstWork))
        }
    }
}
