import ArgumentParser
import Deadbolt
import Foundation

/// `deadbolt pin`: the PIN policy at the command line.
struct PINCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pin",
        abstract: "Check PINs against Deadbolt's PIN policy.",
        subcommands: [PINCheckCommand.self, PINSpaceCommand.self]
    )
}

/// The policy options `check` and `space` share: a named profile, or explicit lengths.
///
/// Values are taken as text and validated in `policy()`, so a bad value exits 2 with a reason rather than with
/// ArgumentParser's own usage code.
struct PINPolicyOptions: ParsableArguments {
    @Option(help: "The policy profile: 'standard' (4 to 6 digits) or 'six-digit' (exactly 6).")
    var profile: String?

    @Option(name: .customLong("min-length"), help: "The fewest digits allowed (4 to 8); instead of --profile.")
    var minimumLength: String?

    @Option(name: .customLong("max-length"), help: "The most digits allowed (4 to 8); instead of --profile.")
    var maximumLength: String?

    func policy() throws(UsageError) -> PINPolicy {
        if minimumLength == nil && maximumLength == nil {
            switch profile {
            case nil, "standard": return .standard
            case "six-digit": return .recommendedSixDigit
            default: throw UsageError("--profile must be 'standard' or 'six-digit'")
            }
        }
        guard profile == nil else { throw UsageError("give --profile or --min-length/--max-length, not both") }
        let standard = PINPolicy.standard.lengths
        guard let minimum = Self.length(minimumLength, default: standard.lowerBound),
            let maximum = Self.length(maximumLength, default: standard.upperBound), minimum <= maximum
        else {
            throw UsageError("--min-length and --max-length must be whole numbers with min <= max")
        }
        do {
            return try PINPolicy(lengths: minimum...maximum)
        } catch {
            throw UsageError(String(describing: error))
        }
    }

    private static func length(_ text: String?, default fallback: Int) -> Int? {
        guard let text else { return fallback }
        guard text.utf8.count <= 2 else { return nil }
        return Int(text)
    }
}

/// A command-line mistake: printed to standard error, exit status 2.
struct UsageError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }

    /// Prints the reason and returns the exit code to throw.
    func report() -> ExitCode {
        FileHandle.standardError.write(Data("deadbolt pin: \(reason)\n".utf8))
        return ExitCode(2)
    }
}

/// `deadbolt pin check`: whether the policy allows the PIN on standard input.
struct PINCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a PIN read from standard input against the PIN policy.",
        discussion: """
            The PIN is read from standard input (with echo off on a terminal), never from the command line. \
            Every rule it breaks is printed to standard output, one per line; the PIN itself is never printed.

            The person's context is optional and refuses PINs built from it. Prefer --context-file: personal data \
            given as options (--birth-date, --ssn-last-four, --phone) is visible to every user of the machine in \
            `ps` and /proc/PID/cmdline, and stays in shell history. The context file holds one 'name: value' a \
            line: 'birth-date: YYYY-MM-DD', 'ssn-last-four: NNNN', 'phone: NUMBER'. With '--context-file -' the \
            context is read from standard input, after the PIN's line. A previous PIN is a secret and is not \
            accepted at all; the library takes it in PINContext.

            Exit status:
              0  the policy allows the PIN
              1  the policy refuses the PIN (the reasons are on standard output)
              2  bad usage: an invalid option value, a missing value, an unexpected argument, or nothing on \
                 standard input
            """
    )

    @OptionGroup var policyOptions: PINPolicyOptions

    @Option(
        name: .customLong("context-file"),
        help: "A file of the person's context, 'name: value' lines (see below); '-' reads it from standard input after the PIN's line. Keeps personal data off the command line.")
    var contextFile: String?

    @Option(name: .customLong("birth-date"), help: "The person's birth date, YYYY-MM-DD (visible in ps: prefer --context-file).")
    var birthDate: String?

    @Option(name: .customLong("ssn-last-four"), help: "The last four digits of the person's SSN (visible in ps: prefer --context-file).")
    var ssnLastFour: String?

    @Option(name: .customLong("phone"), help: "The person's phone number: digits, spaces, + - . ( ) (visible in ps: prefer --context-file).")
    var phoneNumber: String?

    // Collects what the parser does not recognise, so it exits 2 like every other usage error.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var unexpected: [String] = []

    func run() throws {
        let policy: PINPolicy
        var context: PINContext
        do throws(UsageError) {
            guard unexpected.isEmpty else {
                throw UsageError("unexpected argument; the PIN is read from standard input")
            }
            policy = try policyOptions.policy()
            if contextFile != nil, birthDate != nil || ssnLastFour != nil || phoneNumber != nil {
                throw UsageError("give the context in --context-file or as options, not both")
            }
            // A context file is read and checked before anyone types a PIN; only '-' has to wait for the PIN's line.
            context = contextFile == "-" ? .empty : try makeContext()
        } catch {
            throw error.report()
        }
        var pin: [UInt8]
        do {
            pin = try SecretInput.read(prompt: "PIN: ")
        } catch SecretInput.Failure.tooLong {
            // Longer than any line SecretInput keeps, so far longer than any PIN: a refusal, not a usage error.
            print(PINPolicy.Violation.tooLong(maximum: policy.lengths.upperBound).message)
            throw ExitCode(1)
        } catch {
            throw UsageError("no PIN on standard input").report()
        }
        defer { SecretBytes.wipe(&pin) }
        if contextFile == "-" {
            do throws(UsageError) {
                context = try Self.readContext(from: STDIN_FILENO, name: "standard input")
            } catch {
                throw error.report()
            }
        }
        let violations = policy.evaluate(utf8: pin, context: context)
        guard violations.isEmpty else {
            for violation in violations { print(violation.message) }
            throw ExitCode(1)
        }
    }

    private func makeContext() throws(UsageError) -> PINContext {
        if let contextFile {
            let descriptor = open(contextFile, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw UsageError("cannot read the context file \(contextFile)") }
            defer { close(descriptor) }
            return try Self.readContext(from: descriptor, name: contextFile)
        }
        do {
            return try PINContext(
                birthDate: birthDate.map { try PINContext.BirthDate(iso8601: $0) },
                ssnLastFour: ssnLastFour, phoneNumber: phoneNumber
            )
        } catch {
            throw UsageError(String(describing: error))
        }
    }
}

extension PINCheckCommand {
    /// The context read from `descriptor` to its end, at most ``PINContext/maximumTextLength`` bytes.
    static func readContext(from descriptor: Int32, name: String) throws(UsageError) -> PINContext {
        do {
            return try BoundedRead.contents(of: descriptor, maximum: PINContext.maximumTextLength) { text in
                try PINContext(text: text)
            }
        } catch let error as PINPolicyError {
            throw UsageError(String(describing: error))
        } catch BoundedRead.Failure.tooLarge(let maximum) {
            throw UsageError("the context in \(name) is longer than \(maximum) bytes")
        } catch {
            throw UsageError("cannot read the context from \(name)")
        }
    }
}

/// `deadbolt pin space`: how many PINs of each length the policy leaves, counted by brute force.
struct PINSpaceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "space",
        abstract: "Print how many PINs of each length the policy allows without personal context.",
        discussion: """
            Every candidate of each length is evaluated (10^length of them): lengths 4 to 6 take under a second \
            in a release build, length 8 several seconds. \
            Exit status: 0 on success, 2 on bad usage.
            """
    )

    @OptionGroup var policyOptions: PINPolicyOptions

    @Argument(parsing: .allUnrecognized, help: .hidden)
    var unexpected: [String] = []

    func run() throws {
        let policy: PINPolicy
        do throws(UsageError) {
            guard unexpected.isEmpty else { throw UsageError("unexpected argument") }
            policy = try policyOptions.policy()
        } catch {
            throw error.report()
        }
        print("| Length | Candidates | Allowed | Refused | Allowed (%) |")
        print("|-------:|-----------:|--------:|--------:|------------:|")
        for length in policy.lengths {
            var candidates = 1
            for _ in 0..<length { candidates *= 10 }
            let allowed = policy.remainingSpace(length: length)
            let percent = String(format: "%.2f", Double(allowed) * 100 / Double(candidates))
            print("| \(length) | \(candidates) | \(allowed) | \(candidates - allowed) | \(percent) |")
        }
    }
}
