import ArgumentParser
import Deadbolt

/// `deadbolt verify HASH`: reads a secret from standard input and checks it against a stored hash.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a PIN or password read from standard input against a stored hash.",
        discussion: """
            Reads hashes in Deadbolt's PHC format and those of libsodium, argon2-cffi, the argon2 tool, passlib \
            (pbkdf2_sha1/256/512) and Django (pbkdf2_sha256, pbkdf2_sha1).

            Exit codes: 0 the secret matches (prints 'ok', or 'needs rehash' when the hash should be replaced under \
            the current policy); 1 it does not match (prints 'mismatch'); 2 a malformed or unsupported hash, or bad usage.
            """)

    @Argument(help: "The stored hash (not secret: it is what the database holds).")
    var hash: String

    @OptionGroup var options: HasherOptions

    func run() async throws {
        let hasher = try options.hasher()
        var secret = try SecretInput.read(prompt: options.kind == .pin ? "PIN: " : "Password: ")
        defer { SecretBytes.wipe(&secret) }
        switch try await hasher.verify(SecretBytes(secret), against: hash) {
        case .matched:
            print("ok")
        case .matchedNeedsRehash:
            print("needs rehash")
        case .mismatch:
            print("mismatch")
            throw ExitCode(1)
        }
    }
}
