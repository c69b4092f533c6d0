import Deadbolt
import Foundation
import Testing

/// How the tool takes its inputs: pepper files only their owner can read, no unwiped copy of a pepper, personal
/// data off the command line, and exit codes that match the help.
extension CommandLineTests {
    static let small = ["--memory", "64", "--iterations", "1"]

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o606, 0o620])
    func pepperFileOthersCanReadIsRefusedNamingTheFix(mode: Int) throws {
        let pepper = try pepperFile()
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: pepper)
        let outcome = try run(["hash", "--pepper-file", pepper] + Self.small, input: "482913\n")
        #expect(outcome.status == 2)
        #expect(outcome.output.isEmpty)
        #expect(outcome.errors.contains("chmod 600 \(pepper)"))
        #expect(outcome.errors.contains("mode 0\(String(mode, radix: 8))"))
        let verify = try run(
            ["verify", "$argon2id$v=19$m=64,t=1,p=1,keyid=k2$c29tZXNhbHQ$RdescudvJCsgt3ub", "--pepper-file", pepper],
            input: "482913\n")
        #expect(verify.status == 2 && verify.errors.contains("chmod 600"))
    }

    @Test(arguments: [0o600, 0o400])
    func pepperFileOnlyTheOwnerCanReadIsUsed(mode: Int) throws {
        let pepper = try pepperFile()
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: pepper)
        let outcome = try run(["hash", "--pepper-file", pepper] + Self.small, input: "482913\n")
        #expect(outcome.status == 0)
        #expect(outcome.output.hasPrefix("$argon2id$v=19$m=64,t=1,p=1,keyid=k2$"))
    }

    /// Runs the tool with the freed-memory probe preloaded and answers, per pattern, how many heap blocks were
    /// freed still holding it.
    func freedBlocksHolding(
        _ patterns: [[UInt8]], running executable: URL, _ arguments: [String], input: String
    ) throws -> (outcome: Outcome, blocks: [Int]) {
        let probe = executable.deletingLastPathComponent().appendingPathComponent("libDeadboltFreedMemoryProbe.so")
        #expect(FileManager.default.fileExists(atPath: probe.path), "the probe library is built with the package")
        let directory = NSTemporaryDirectory() + "deadbolt-probe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let patternFile = directory + "/patterns"
        try patterns.map { Hex.encode($0) + "\n" }.joined().write(toFile: patternFile, atomically: true, encoding: .utf8)
        let report = directory + "/report"
        let outcome = try run(
            executable, arguments, input: input,
            environment: [
                "LD_PRELOAD": probe.path, "DEADBOLT_PROBE_PATTERNS": patternFile, "DEADBOLT_PROBE_REPORT": report,
            ])
        let lines = try String(contentsOfFile: report, encoding: .utf8).split(separator: "\n")
        let blocks = lines.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
        #expect(blocks.count == patterns.count, "the probe reports every pattern")
        return (outcome, blocks)
    }

    @Test func pepperLeavesNoUnwipedCopyOnTheHeap() throws {
        var raw = [UInt8](repeating: 0, count: 32)
        for index in raw.indices { raw[index] = UInt8.random(in: 0...255) }
        let hex = Hex.encode(raw)
        let pepper = NSTemporaryDirectory() + "deadbolt-pepper-\(UUID().uuidString)"
        try "# test key\nk1:\(hex)\n".write(toFile: pepper, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: pepper)
        defer { try? FileManager.default.removeItem(atPath: pepper) }
        // The pepper file's path is freed unwiped like any string: the control that shows the probe was loaded.
        let patterns = [raw, Array(hex.utf8), Array(pepper.utf8)]

        let hashed = try freedBlocksHolding(
            patterns, running: Self.binary, ["hash", "--pepper-file", pepper] + Self.small, input: "482913\n")
        #expect(hashed.outcome.status == 0)
        #expect(hashed.blocks.count == 3 && hashed.blocks[2] > 0, "control: the probe saw the path freed")
        #expect(hashed.blocks.prefix(2) == [0, 0], "no freed block held the pepper or its hex text")

        let stored = hashed.outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let verified = try freedBlocksHolding(
            patterns, running: Self.binary, ["verify", stored, "--pepper-file", pepper] + Self.small,
            input: "482913\n")
        #expect(verified.outcome.status == 0 && verified.outcome.output == "ok\n")
        #expect(verified.blocks.prefix(2) == [0, 0], "no freed block held the pepper or its hex text")
    }

    @Test func totpHelpDocumentsTheExitCodeItUses() throws {
        let help = try run(["totp", "enroll", "--help"], input: "")
        #expect(help.status == 0)
        #expect(!help.output.contains("64"), "no exit code 64 is documented")
        #expect(help.output.contains("2 bad usage"))
        // Every way of getting the command line wrong exits with the documented 2.
        #expect(try run(["totp", "enroll", "--issuer", "Example"], input: "").status == 2)
        #expect(try run(["totp", "enroll", "--issuer", "Example", "--account", "a", "--bogus"], input: "").status == 2)
        #expect(try run(["totp", "enroll", "--issuer", "Example", "--account", "a", "--digits", "x"], input: "").status == 2)
        #expect(try run(["totp", "enroll", "--issuer", "Exa:mple", "--account", "a"], input: "").status == 2)
    }

    func contextFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "deadbolt-context-\(UUID().uuidString)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func pinContextComesFromAFileOrStandardInput() throws {
        let file = try contextFile("# the person\nbirth-date: 1990-04-17\nphone: +1 (555) 010-4417\nssn-last-four: 2468\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let birth = try run(["pin", "check", "--context-file", file], input: "199004\n")
        #expect(birth.status == 1 && birth.output.contains("birth date"))
        let phone = try run(["pin", "check", "--context-file", file], input: "554417\n")
        #expect(phone.status == 1 && phone.output.contains("phone number"))
        let ssn = try run(["pin", "check", "--context-file", file], input: "246813\n")
        #expect(ssn.status == 1 && ssn.output.contains("social security"))
        let fine = try run(["pin", "check", "--context-file", file], input: "482913\n")
        #expect(fine.status == 0)

        // '-': the PIN's line first, then the context.
        let piped = try run(["pin", "check", "--context-file", "-"], input: "246813\nssn-last-four: 2468\n")
        #expect(piped.status == 1 && piped.output.contains("social security"))
        #expect(try run(["pin", "check", "--context-file", "-"], input: "482913\nssn-last-four: 2468\n").status == 0)
        // The same person through options gives the same answer.
        let options = try run(["pin", "check", "--ssn-last-four", "2468"], input: "246813\n")
        #expect(options.status == 1 && options.output == ssn.output)
    }

    @Test func pinContextInputMistakesExitTwoWithoutEchoingTheData() throws {
        let bad = try contextFile("ssn-last-four: 24x8\n")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        let refused = try run(["pin", "check", "--context-file", bad], input: "482913\n")
        #expect(refused.status == 2 && !refused.errors.contains("24x8"))
        let unknown = try run(["pin", "check", "--context-file", "-"], input: "482913\nmother: Ada\n")
        #expect(unknown.status == 2 && unknown.errors.contains("line 1") && !unknown.errors.contains("Ada"))
        let twice = try run(["pin", "check", "--context-file", "-"], input: "482913\nphone: 5550104417\nphone: 5550104418\n")
        #expect(twice.status == 2)
        let both = try run(["pin", "check", "--context-file", "-", "--phone", "5550104417"], input: "482913\n")
        #expect(both.status == 2)
        #expect(try run(["pin", "check", "--context-file", "/nonexistent/context"], input: "482913\n").status == 2)
        let long = String(repeating: "# padding\n", count: 200)
        #expect(try run(["pin", "check", "--context-file", "-"], input: "482913\n" + long).status == 2)
    }

    @Test func pinCheckHelpSaysWhyPersonalDataStaysOffTheCommandLine() throws {
        let help = try run(["pin", "check", "--help"], input: "")
        #expect(help.status == 0)
        #expect(help.output.contains("--context-file"))
        #expect(help.output.contains("ps"))
        #expect(help.output.contains("shell history"))
    }
}
