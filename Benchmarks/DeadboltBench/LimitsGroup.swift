import Deadbolt

/// Limit decisions in the in-memory store: ns per `RateLimiter.acquire`, for one hot key and for many distinct keys
/// (each decision then inserts a key), from 1 and from 2 tasks at once. Beside each, the store's own
/// `acquireToken` on keys built before timing, so the table shows what the limiter adds (building and escaping the
/// key) and what the store costs.
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
        // The keys `RateLimiter` builds for `keys`, built once for the store rows.
        let stateKeys = try keys.map { try StateKey(namespace: RateLimiter.namespace, identifier: $0, name: "bench") }
        let hotKey = try StateKey(namespace: RateLimiter.namespace, identifier: "hot", name: "bench")
        let storeName = "Deadbolt InMemoryStateStore.acquireToken"
        let storeNote = "the store alone, keys built before timing"

        for tasks in [1, 2] {
            let hotStore = try InMemoryStateStore(maximumKeys: 1_000)
            let hot = try RateLimiter(store: hotStore, limit: limit, purpose: "bench")
            let hotContender = Contender(name: "Deadbolt RateLimiter.acquire", operations: hotDecisions) {
                try await Self.decide(tasks: tasks, count: hotDecisions) { _ in
                    _ = try await hot.acquire("hot")
                }
            }
            let hotStoreOnly = try InMemoryStateStore(maximumKeys: 1_000)
            let hotStoreContender = Contender(name: storeName, operations: hotDecisions) {
                try await Self.decide(tasks: tasks, count: hotDecisions) { _ in
                    _ = try await hotStoreOnly.acquireToken(hotKey, limit: limit)
                }
            }
            let hotSummary = try await Harness.interleave([hotContender, hotStoreContender], rounds: rounds)
            report.add(
                workload: "one hot key, \(tasks) task\(tasks == 1 ? "" : "s") at once",
                names: [hotContender.name, hotStoreContender.name], summaries: hotSummary, unit: "seconds/op",
                reference: "", notes: [storeName: storeNote])

            // A fresh store for every round, so every decision inserts its key.
            let distinctContender = Contender(name: "Deadbolt RateLimiter.acquire", operations: distinct) {
                let store = try InMemoryStateStore(maximumKeys: 2 * distinct)
                let limiter = try RateLimiter(store: store, limit: limit, purpose: "bench")
                try await Self.decide(tasks: tasks, count: distinct) { index in
                    _ = try await limiter.acquire(keys[index])
                }
            }
            let distinctStoreContender = Contender(name: storeName, operations: distinct) {
                let store = try InMemoryStateStore(maximumKeys: 2 * distinct)
                try await Self.decide(tasks: tasks, count: distinct) { index in
                    _ = try await store.acquireToken(stateKeys[index], limit: limit)
                }
            }
            let distinctSummary = try await Harness.interleave(
                [distinctContender, distinctStoreContender], rounds: rounds)
            report.add(
                workload: "\(distinct) distinct keys, \(tasks) task\(tasks == 1 ? "" : "s") at once",
                names: [distinctContender.name, distinctStoreContender.name], summaries: distinctSummary,
                unit: "seconds/op", reference: "",
                notes: [
                    distinctContender.name: "includes a new store per round",
                    storeName: storeNote + "; a new store per round",
                ])
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
