import ArgumentParser
import Deadbolt

/// `deadbolt calibrate`: finds Argon2id parameters for a target latency on this machine.
struct CalibrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate",
        abstract: "Measure this machine and print Argon2id parameters that meet a target latency.",
        discussion: "Exit codes: 0 printed parameters; 2 bad usage.")

    @Option(name: .customLong("target-ms"), help: "The target time of one hash, in milliseconds (1 to 60000).")
    var targetMilliseconds = 250

    @Option(name: .customLong("memory"), help: "Argon2 memory in KiB.")
    var memoryKiB: UInt32 = Argon2.Parameters.owasp19MiB.memoryKiB

    @Option(help: "Argon2 lanes.")
    var parallelism: UInt32 = 1

    func run() async throws {
        let pool = HashingPool(workerCount: 1, memoryBudgetBytes: Int(Argon2.maximumMemoryKiB) * 1024)
        let result = try await Calibration.calibrate(
            targetLatency: .milliseconds(targetMilliseconds), memoryKiB: memoryKiB, parallelism: parallelism, pool: pool)
        let p = result.parameters
        let milliseconds = Double(result.measuredLatency / .microseconds(1)) / 1000
        print("argon2id m=\(p.memoryKiB) t=\(p.iterations) p=\(p.parallelism)  (measured \(milliseconds) ms per hash)")
    }
}
