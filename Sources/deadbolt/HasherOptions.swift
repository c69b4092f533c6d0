import ArgumentParser
import Deadbolt
import Foundation

/// The options that choose how new hashes are made and which pepper keys exist; shared by `hash` and `verify`.
struct HasherOptions: ParsableArguments {
    @Option(help: "What is hashed: pin (pepper required, at most 64 bytes) or password (at most 1024 bytes).")
    var kind: Kind = .pin

    @Option(help: "The policy for new hashes: \(Preset.allCases.map(\.rawValue).joined(separator: ", ")).")
    var preset: Preset = .owasp19MiB

    @Option(name: .customLong("memory"), help: "Override Argon2 memory in KiB.")
    var memoryKiB: UInt32?

    @Option(name: .customLong("iterations"), help: "Override Argon2 passes or PBKDF2 iterations.")
    var iterations: UInt32?

    @Option(help: "Override Argon2 lanes.")
    var parallelism: UInt32?

    @Option(
        name: .customLong("pepper-file"),
        help: "A file of pepper keys, one 'id:hex' a line (at least 32 bytes each); the first is current, the rest retired. Default: $DEADBOLT_PEPPER_FILE. Refused unless only its owner may read it (chmod 600), as ssh refuses private keys."
    )
    var pepperFile: String?

    @Flag(help: "Hash PINs without a pepper (not recommended: a 6-digit PIN falls to an offline search in hours).")
    var noPepper = false

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case pin, password
    }

    enum Preset: String, ExpressibleByArgument, CaseIterable {
        case owasp46MiB = "owasp-46mib"
        case owasp19MiB = "owasp-19mib"
        case owasp12MiB = "owasp-12mib"
        case owasp9MiB = "owasp-9mib"
        case owasp7MiB = "owasp-7mib"
        case rfc9106First = "rfc9106-first"
        case rfc9106Second = "rfc9106-second"
        case pbkdf2SHA256 = "pbkdf2-sha256"
        case pbkdf2SHA512 = "pbkdf2-sha512"
        case pbkdf2SHA1 = "pbkdf2-sha1"

        var algorithm: HashAlgorithm {
            switch self {
            case .owasp46MiB: .argon2(.owasp46MiB)
            case .owasp19MiB: .argon2(.owasp19MiB)
            case .owasp12MiB: .argon2(.owasp12MiB)
            case .owasp9MiB: .argon2(.owasp9MiB)
            case .owasp7MiB: .argon2(.owasp7MiB)
            case .rfc9106First: .argon2(.rfc9106FirstRecommended)
            case .rfc9106Second: .argon2(.rfc9106SecondRecommended)
            case .pbkdf2SHA256: .pbkdf2(.owaspSHA256)
            case .pbkdf2SHA512: .pbkdf2(.owaspSHA512)
            case .pbkdf2SHA1: .pbkdf2(.owaspSHA1Legacy)
            }
        }
    }

    /// The hasher these options describe.
    func hasher() throws -> PasswordHasher {
        var algorithm = preset.algorithm
        switch algorithm {
        case .argon2(var parameters):
            if let memoryKiB { parameters.memoryKiB = memoryKiB }
            if let iterations { parameters.iterations = iterations }
            if let parallelism { parameters.parallelism = parallelism }
            algorithm = .argon2(parameters)
        case .pbkdf2(var parameters):
            guard memoryKiB == nil, parallelism == nil else {
                throw ValidationError("--memory and --parallelism apply to Argon2 presets only")
            }
            if let iterations { parameters.iterations = iterations }
            algorithm = .pbkdf2(parameters)
        }
        let keyring = try loadKeyring()
        guard kind == .password || keyring != nil || noPepper else {
            throw ValidationError("PINs need a pepper: pass --pepper-file (or set DEADBOLT_PEPPER_FILE), or --no-pepper")
        }
        // A bigger budget than the shared pool's default: the CLI runs one hash, whatever memory it names.
        let pool = HashingPool(workerCount: 1, memoryBudgetBytes: Int(Argon2.maximumMemoryKiB) * 1024)
        return try PasswordHasher(
            for: kind == .pin ? .pin : .password, algorithm: algorithm, keyring: keyring, allowUnpepperedPINs: noPepper,
            pool: pool)
    }

    private func loadKeyring() throws -> PepperKeyring? {
        guard let path = pepperFile ?? ProcessInfo.processInfo.environment["DEADBOLT_PEPPER_FILE"] else { return nil }
        do {
            return try PepperKeyring(contentsOfKeyFile: path)
        } catch {
            throw ValidationError("\(error)")
        }
    }
}
