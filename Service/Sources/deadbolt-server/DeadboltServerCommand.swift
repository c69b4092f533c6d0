import ArgumentParser
import DeadboltServer

/// `deadbolt-server`: the reference auth service. With no subcommand it serves (`serve`); `admin` holds the operator
/// commands.
@main
struct DeadboltServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadbolt-server",
        abstract:
            "The Deadbolt reference auth service: sign-up, sign-in with a password, a login PIN and a second factor.",
        discussion: """
            With no flags it runs the embedded default: http://127.0.0.1:8080, data in ./deadbolt-data/ (a SQLite \
            file and keys made on first start, mode 0600), limits in memory, and every message written to the \
            development mailbox (./deadbolt-data/mailbox/, shown at /dev/mailbox).
            """,
        subcommands: [ServeCommand.self, AdminCommand.self],
        defaultSubcommand: ServeCommand.self)
}
