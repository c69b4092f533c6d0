import ArgumentParser
import Deadbolt

/// `deadbolt hash`: reads a secret from standard input and prints its PHC string.
struct HashCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash",
        abstract: "Hash a PIN or password read from standard input and print the PHC string to store.",
        discussion: "Exit codes: 0 printed a hash; 2 bad usage or bad input.")

    @OptionGroup var options: HasherOptions

    func run() async throws {
        let hasher = try options.hasher()
        var secret = try SecretInput.read(prompt: options.kind == .pin ? "PIN: " : "Password: ")
        defer { SecretBytes.wipe(&secret) }
        print(try await hasher.hash(SecretBytes(secret)))
    }
}
