import ArgumentParser
import CDeadbolt
import Deadbolt
import Foundation

/// What every group reads from the command line.
struct Settings: Sendable {
    var quick: Bool
}

/// `deadbolt-bench`: Deadbolt against its peers on the same inputs, in one process and one run, interleaved.
@main
struct DeadboltBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadbolt-bench",
        abstract:
            "Measure Deadbolt against libargon2, libsodium, OpenSSL, swift-crypto and redis-benchmark, and the limits.",
        discussion: """
            Each group runs its contenders in interleaved rounds (A B C, C B A, ...) after one warm-up call each, and \
            quotes the median with the 10th–90th percentile spread. Build with -c release: the C shims run at -O0 in \
            debug builds.
            """
    )

    static let groups = ["argon2", "pbkdf2", "hmac", "codes", "limits", "scaling", "redis"]

    @Flag(help: "A short smoke run with scaled-down work (under a minute), as CI runs it.")
    var quick = false

    @Option(help: "Run only this group (repeat for several): \(DeadboltBench.groups.joined(separator: ", ")).")
    var filter: [String] = []

    @Option(help: "Also write the results as JSON to this file.")
    var json: String?

    func validate() throws {
        for name in filter where !Self.groups.contains(name) {
            throw ValidationError("unknown group '\(name)'; the groups are \(Self.groups.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let settings = Settings(quick: quick)
        let machine = Machine.current(shaExtensions: dbt_pbkdf2_has_sha_ni(DBT_SHA256) == 1)
        var report = Report(
            machine: machine, command: CommandLine.arguments.joined(separator: " "), quick: quick,
            started: ISO8601DateFormatter().string(from: Date()))
        emit(
            "deadbolt-bench\(quick ? " --quick" : ""): \(machine.architecture), \(machine.cpuModel), "
                + "\(machine.cores) cores, SHA extensions: \(machine.shaExtensions ? "yes" : "no")\n\n")
        #if DEBUG
            emit("warning: a debug build: the C shims run at -O0, so these figures do not represent Deadbolt\n\n")
        #endif
        for group in Self.groups where filter.isEmpty || filter.contains(group) {
            let start = Harness.now()
            let result: GroupReport
            switch group {
            case "argon2": result = try await Argon2Group(settings: settings).run()
            case "pbkdf2": result = try await PBKDF2Group(settings: settings).run()
            case "hmac": result = try await HMACGroup(settings: settings).run()
            case "codes": result = try await CodesGroup(settings: settings).run()
            case "limits": result = try await LimitsGroup(settings: settings).run()
            case "redis": result = try await RedisGroup(settings: settings).run()
            default: result = try await ScalingGroup(settings: settings).run()
            }
            report.groups.append(result)
            emit(Format.group(result) + String(format: "(%.1f s)\n\n", Double(Harness.now() - start) / 1e9))
        }
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(report).write(to: URL(fileURLWithPath: json))
            emit("wrote \(json)\n")
        }
    }
}

/// Writes to standard output unbuffered, so a long run shows each group as it finishes, even into a file.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
