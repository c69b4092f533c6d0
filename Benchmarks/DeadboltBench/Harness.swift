import Dispatch
import Foundation
import Synchronization

/// The median and spread of one contender's samples: what the tables quote. Percentiles interpolate linearly between
/// the sorted samples, so 5 samples still give a p10 and a p90 inside the observed range.
struct Summary: Codable, Sendable {
    var median: Double
    var p10: Double
    var p90: Double
    var samples: Int
    /// The samples in the order of the rounds that produced them, so figures from the same round can be paired.
    var values: [Double]

    init(_ values: [Double]) {
        self.values = values
        let sorted = values.sorted()
        samples = sorted.count
        median = Summary.percentile(sorted, 0.5)
        p10 = Summary.percentile(sorted, 0.1)
        p90 = Summary.percentile(sorted, 0.9)
    }

    /// The same samples multiplied by `factor`.
    func scaled(by factor: Double) -> Summary { Summary(values.map { $0 * factor }) }

    /// Operations per second from seconds per operation.
    var inverted: Summary { Summary(values.map { 1 / $0 }) }

    /// Round by round, the fastest of several contenders' samples (all from the same rounds).
    static func fastest(of summaries: [Summary]) -> Summary {
        guard let first = summaries.first else { return Summary([]) }
        return Summary(first.values.indices.map { round in summaries.map { $0.values[round] }.min() ?? .nan })
    }

    /// Round by round, `numerator`'s sample over `denominator`'s: a ratio whose spread is not inflated by drift
    /// between rounds, since both figures of a pair were measured moments apart.
    static func ratios(_ numerator: Summary, _ denominator: Summary) -> Summary {
        Summary(zip(numerator.values, denominator.values).map { $0 / $1 })
    }

    private static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard let first = sorted.first else { return .nan }
        guard sorted.count > 1 else { return first }
        let position = q * Double(sorted.count - 1)
        let lower = Int(position.rounded(.down))
        let upper = min(lower + 1, sorted.count - 1)
        let fraction = position - Double(lower)
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction
    }
}

/// One implementation of a workload: `body` does `operations` operations per call. `settle`, when given, runs after
/// each timed call, untimed: work the contender leaves running after it returns (the hashing pool's wipe of an arena,
/// after the caller has its result) finishes there instead of inside the next contender's time.
struct Contender: Sendable {
    var name: String
    var operations: Int
    var settle: (@Sendable () async throws -> Void)? = nil
    var body: @Sendable () async throws -> Void
}

/// Why a benchmark could not run.
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

enum Harness {
    /// Nanoseconds on the monotonic clock.
    static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Runs every contender once to warm caches, page in memory and settle the clock, then `rounds` rounds in which
    /// each contender runs once, in forward order on even rounds and backward on odd ones (A B C, C B A, ...), so that
    /// drift of the machine (other work on shared cores, frequency) falls on all of them alike.
    /// - Returns: each contender's seconds per operation, one sample per round.
    /// `runOrder` (indices into `contenders`) sets who runs next to whom; results come back in `contenders`' order.
    static func interleave(_ contenders: [Contender], rounds: Int, runOrder: [Int]? = nil) async throws -> [Summary] {
        for contender in contenders {
            try await contender.body()
            try await contender.settle?()
        }
        var samples = Array(repeating: [Double](), count: contenders.count)
        let forward = runOrder ?? Array(contenders.indices)
        for round in 0..<max(1, rounds) {
            let order = round.isMultiple(of: 2) ? forward : forward.reversed()
            for index in order {
                let contender = contenders[index]
                let start = now()
                try await contender.body()
                let elapsed = Double(now() - start) / 1e9
                samples[index].append(elapsed / Double(contender.operations))
                try await contender.settle?()
            }
        }
        return samples.map(Summary.init)
    }

    /// Runs `body(worker)` on `workers` threads at once and waits for all of them.
    static func concurrently(_ workers: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let failure = Mutex<String?>(nil)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            do {
                try body(worker)
            } catch {
                failure.withLock { $0 = String(describing: error) }
            }
        }
        if let message = failure.withLock({ $0 }) { throw BenchError(message) }
    }

    /// The number of cores this process may use.
    static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
