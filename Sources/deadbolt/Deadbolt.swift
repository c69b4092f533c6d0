import ArgumentParser

@main
struct DeadboltCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadbolt", abstract: "Deadbolt", subcommands: [TOTPCommand.self])
}
