import Deadbolt

/// Limit decisions in the in-memory store: ns per `RateLimiter.acquire`, for one hot key and for many distinct keys
/// (each decision then inserts a key), from 1 and from 2 tasks at once.
struct LimitsGroup {
    var settings: Settings

    func run() async throws -> GroupReport {
        var report = GroupReport(name: "limits")
        let distinct = settings.quick ? 10_000 : 1_000_000
        let hotDecisions = settings.quick ? 10_000 : 200_000
        let rounds = settings.quick ? 3 : 7
        // A limit that allows every request of the run, so each decision takes the same path.
        let limit = RateLimit(burst: 10_000, interval: .milliseconds(1))
        let keys = (0..<distinct).map { "account-\($0)" }

        for tasks in [1, 2] {
            let hotStore = try InMemoryStateStore(maximumKeys: 1_000)
            let hot = try RateLimiter(store: hotStore, limit: limit, purpose: "bench")
            let hotContender = Contender(name: "Deadbolt RateLimiter.acquire", operations: hotDecisions) {
                try await Self.decide(tasks: tasks, count: hotDecisions) { _ in
                    _ = try await hot.acquire("hot")
                }
            }
            let hotSummary = try await Harness.interleave([hotContender], rounds: rounds)
            report.add(
                workload: "one hot key, \(tasks) task\(tasks == 1 ? "" : "s") at once", names: [hotContender.name],
                summaries: hotSummary, unit: "seconds/op", reference: "")

            // A fresh store for every round, so every decision inserts its key.
            let distinctContender = Contender(name: "Deadbolt RateLimiter.acquire", operations: distinct) {
                let store = try InMemoryStateStore(maximumKeys: 2 * distinct)
                let limiter = try RateLimiter(store: store, limit: limit, purpose: "bench")
                try await Self.decide(tasks: tasks, count: distinct) { index in
                    _ = try await limiter.acquire(keys[index])
                }
            }
            let distinctSummary = try await Harness.interleave([distinctContender], rounds: rounds)
            report.add(
                workload: "\(distinct) distinct keys, \(tasks) task\(tasks == 1 ? "" : "s") at once",
                names: [distinctContender.name], summaries: distinctSummary, unit: "seconds/op",
                reference: "", notes: [distinctContender.name: "includes a new store per round"])
        }
        report.notes.append("Every decision is allowed (burst 10,000, one token back per millisecond).")
        return report
    }

    /// Runs `count` decisions split over `tasks` tasks, decision `i` going to task `i % tasks`.
    static func decide(tasks: Int, count: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<tasks {
                group.addTask {
                    for index in stride(from: task, to: count, by: tasks) { try await body(index) }
                }
            }
            try await group.waitForAll()
        }
    }
}
