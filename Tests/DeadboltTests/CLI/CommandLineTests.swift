import Foundation
import Testing

/// Runs the built `deadbolt` tool the way an operator would, and checks its output and documented exit codes.
@Suite struct CommandLineTests {
    /// The `deadbolt` binary beside the test bundle in the build folder.
    static var binary: URL {
        var directory = Bundle.main.bundleURL
        while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("deadbolt").path) {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("deadbolt")
    }

    struct Outcome {
        let status: Int32
        let output: String
        let errors: String
    }

    func run(_ arguments: [String], input: String, environment: [String: String] = [:]) throws -> Outcome {
        try run(Self.binary, arguments, input: input, environment: environment)
    }

    /// Runs `executable` with `environment` added to this process's own.
    func run(_ executable: URL, _ arguments: [String], input: String, environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, output: String(decoding: output, as: UTF8.self),
            errors: String(decoding: errors, as: UTF8.self))
    }

    func pepperFile() throws -> String {
        let path = NSTemporaryDirectory() + "deadbolt-pepper-\(UUID().uuidString)"
        try "# test keys\nk2:\(String(repeating: "ab", count: 32))\nk1:\(String(repeating: "cd", count: 32))\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        // Only the owner may read a pepper file (the tool refuses anything wider, as ssh does with keys).
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        return path
    }

    @Test func hashThenVerifyWithExitCodes() throws {
        let pepper = try pepperFile()
        let small = ["--memory", "64", "--iterations", "1", "--pepper-file", pepper]
        let hashed = try run(["hash"] + small, input: "482913\n")
        #expect(hashed.status == 0)
        let stored = hashed.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(stored.hasPrefix("$argon2id$v=19$m=64,t=1,p=1,keyid=k2$"))
        #expect(!hashed.output.contains("482913") && !hashed.errors.contains("482913"))

        let matched = try run(["verify", stored] + small, input: "482913\n")
        #expect(matched.status == 0 && matched.output == "ok\n")
        let stale = try run(["verify", stored, "--pepper-file", pepper], input: "482913\n")
        #expect(stale.status == 0 && stale.output == "needs rehash\n")
        let wrong = try run(["verify", stored] + small, input: "482914\n")
        #expect(wrong.status == 1 && wrong.output == "mismatch\n")
        let malformed = try run(["verify", "$argon2id$v=19$m=064,t=1,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub"] + small, input: "482913\n")
        #expect(malformed.status == 2)
        #expect(!malformed.errors.contains("482913"))
    }

    @Test func pinsWithoutPepperAndBadUsageExitTwo() throws {
        #expect(try run(["hash"], input: "482913\n").status == 2)
        #expect(try run(["hash", "--no-such-option"], input: "").status == 2)
        #expect(try run(["verify"], input: "482913\n").status == 2)
        #expect(try run(["hash", "--no-pepper", "--memory", "64", "--iterations", "1"], input: "\n").status == 2)
        let long = String(repeating: "1", count: 5000) + "\n"
        #expect(try run(["hash", "--no-pepper", "--memory", "64", "--iterations", "1"], input: long).status == 2)
    }

    @Test func vectorsCommandCountsAndFails() throws {
        let good = try run(["vectors", repositoryRoot + "/Vectors"], input: "")
        #expect(good.status == 0)
        #expect(good.output.hasSuffix(" 0 failed\n"))
        let missing = try run(["vectors", "/nonexistent/file.json"], input: "")
        #expect(missing.status == 1)
        #expect(missing.output.hasSuffix("0 passed, 1 failed\n"))
    }
}
