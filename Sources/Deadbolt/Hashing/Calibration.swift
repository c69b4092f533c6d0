/// Finds Argon2id parameters that take about a target time on this machine.
public enum Calibration {
    /// The outcome of a calibration: the parameters and what they measured.
    public struct Result: Sendable, Equatable {
        /// Argon2id at the given memory and lanes, with the most passes that stay within the target (at least 1).
        public var parameters: Argon2.Parameters
        /// The median time of one hash with those parameters, as measured.
        public var measuredLatency: Duration
    }

    /// Measures Argon2id at `memoryKiB` and `parallelism` on this machine and returns the largest pass count whose
    /// hash takes at most `targetLatency` (or 1 pass, if even that takes longer: the result says how long).
    ///
    /// Runs on `pool`, like every hash, so it can be called from a server. Each measurement is the median of three
    /// runs.
    /// - Throws: ``HashingError/parameterOutOfRange(name:value:range:)`` for bad input.
    public static func calibrate(
        targetLatency: Duration, memoryKiB: UInt32 = Argon2.Parameters.owasp19MiB.memoryKiB,
        parallelism: UInt32 = 1, pool: HashingPool = .shared
    ) async throws -> Result {
        guard targetLatency > .zero, targetLatency <= .seconds(60) else {
            throw HashingError.parameterOutOfRange(name: "target latency (ms)", value: Int(targetLatency / .milliseconds(1)), range: 1...60_000)
        }
        var parameters = Argon2.Parameters(memoryKiB: memoryKiB, iterations: 1, parallelism: parallelism)
        try parameters.validate()
        var latency = try await measure(parameters, pool: pool)
        // Time grows linearly with passes (RFC 9106 §3.4: each pass fills all memory once): estimate, then step.
        let estimate = max(1, Int(targetLatency / latency))
        parameters.iterations = UInt32(min(estimate, Int(Argon2.maximumIterations)))
        if parameters.iterations > 1 { latency = try await measure(parameters, pool: pool) }
        while latency > targetLatency, parameters.iterations > 1 {
            parameters.iterations -= 1
            latency = try await measure(parameters, pool: pool)
        }
        while parameters.iterations < Argon2.maximumIterations {
            var next = parameters
            next.iterations += 1
            let nextLatency = try await measure(next, pool: pool)
            guard nextLatency <= targetLatency else { break }
            parameters = next
            latency = nextLatency
        }
        return Result(parameters: parameters, measuredLatency: latency)
    }

    private static func measure(_ parameters: Argon2.Parameters, pool: HashingPool) async throws -> Duration {
        let salt = [UInt8](repeating: 0x5a, count: 16)
        var times: [Duration] = []
        for _ in 0..<3 {
            let elapsed = try await pool.run(memoryBytes: parameters.memoryBytes) {
                let clock = ContinuousClock()
                let start = clock.now
                _ = try Argon2.hash(password: [UInt8](repeating: 0x31, count: 6), salt: salt, parameters: parameters, tagLength: 32)
                return clock.now - start
            }
            times.append(elapsed)
        }
        return times.sorted()[1]
    }
}
