import ArgumentParser
import Foundation

/// The `deadbolt` command: hashing, verification, calibration and known-answer vectors from the shell.
struct DeadboltCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadbolt",
        abstract: "Hash and verify PINs and passwords, run one-time codes, and check Deadbolt's known answers.",
        discussion: """
            Secrets are read from standard input (a prompt without echo on a terminal), never from the command line.

            Exit codes: 0 success (for verify: the secret matches); 1 a negative answer (verify: no match; \
            vectors: a test failed); 2 bad usage or bad input (a malformed hash, an unreadable file).
            """,
        subcommands: [HashCommand.self, VerifyCommand.self, CalibrateCommand.self, VectorsCommand.self, PINCommand.self, TOTPCommand.self]
    )
}

/// Runs the command, mapping argument-parser's usage errors to exit code 2 as documented.
@main
enum Main {
    static func main() async {
        do {
            var command = try DeadboltCommand.parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let code = DeadboltCommand.exitCode(for: error)
            if code == .success {
                DeadboltCommand.exit(withError: error)
            }
            FileHandle.standardError.write(Data((DeadboltCommand.fullMessage(for: error) + "\n").utf8))
            exit(2)
        }
    }
}
