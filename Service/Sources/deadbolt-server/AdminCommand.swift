import ArgumentParser
import DeadboltServer
import Foundation

/// `deadbolt-server admin …`: the operator's commands, run against the same data folder, database, keys and state
/// store options as the server.
struct AdminCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Operator commands: verify a person's identity, unlock an account, show an account's status.",
        subcommands: [VerifyIdentityCommand.self, UnlockCommand.self, ShowCommand.self])
}

/// Runs `body` with the admin console of `options`, turning expected failures into a message and exit code 1.
func withConsole(_ options: ServerOptions, _ body: (AdminConsole) async throws -> String) async throws {
    let console: AdminConsole
    do {
        console = try await AdminConsole.open(try options.configuration())
    } catch let error as ConfigurationError {
        throw ValidationError(error.description)
    }
    do {
        print(try await body(console))
        await console.shutdown()
    } catch let error as AdminError {
        await console.shutdown()
        FileHandle.standardError.write(Data("deadbolt-server admin: \(error)\n".utf8))
        throw ExitCode(1)
    } catch {
        await console.shutdown()
        throw error
    }
}

struct VerifyIdentityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-identity",
        abstract: "Record that you verified this person's identity (operator approval).",
        discussion: """
            Reads the person's facts from standard input, one 'name: value' a line, each optional:
              birth-date: 1990-04-12
              ssn-last-four: 6789
              phone: +12025550143
            The PIN policy refuses PINs built from them. They are sealed at rest and never printed. Afterwards the \
            person chooses a PIN at their next sign-in. Verifying an account a second time voids its PIN and \
            password (the person lost both).
            """)

    @Argument(help: "The account's email address.")
    var email: String

    @Option(name: .customLong("approved-by"), help: "Who approved (recorded in the account's history).")
    var approvedBy = ProcessInfo.processInfo.environment["USER"] ?? "operator"

    @Option(help: "A reference to the evidence you checked (a ticket number; never the document itself).")
    var evidence = "in-person check"

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let input = FileHandle.standardInput.readData(ofLength: 4097)
        try await withConsole(options) { console in
            try await console.verifyIdentity(
                email: email, factsText: String(decoding: input, as: UTF8.self), approvedBy: approvedBy,
                evidence: evidence)
        }
    }
}

struct UnlockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlock", abstract: "Lift every lock on an account, hard locks included.")

    @Argument(help: "The account's email address.")
    var email: String

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await withConsole(options) { try await $0.unlock(email: email) }
    }
}

struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show an account's status (never a secret).")

    @Argument(help: "The account's email address.")
    var email: String

    @OptionGroup var options: ServerOptions

    func run() async throws {
        try await withConsole(options) { try await $0.show(email: email) }
    }
}
