import Testing

@testable import Deadbolt

@Suite struct CalibrationTests {
    @Test func findsTheMostPassesWithinTheTarget() async throws {
        let result = try await Calibration.calibrate(targetLatency: .milliseconds(30), memoryKiB: 256, pool: testPool)
        #expect(result.parameters.memoryKiB == 256)
        #expect(result.parameters.variant == .argon2id && result.parameters.parallelism == 1)
        #expect(result.parameters.iterations >= 1)
        // Either the chosen pass count measured within the target, or even one pass did not.
        #expect(result.measuredLatency <= .milliseconds(30) || result.parameters.iterations == 1)
    }

    @Test func refusesNonsenseTargets() async {
        await #expect(throws: HashingError.self) { try await Calibration.calibrate(targetLatency: .zero, pool: testPool) }
        await #expect(throws: HashingError.self) {
            try await Calibration.calibrate(targetLatency: .milliseconds(10), memoryKiB: 4, pool: testPool)
        }
    }
}
