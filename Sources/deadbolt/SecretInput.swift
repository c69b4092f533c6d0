import Deadbolt
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a secret (a PIN, a password, a code) from standard input: with a prompt and echo off on a terminal, or the
/// first line of piped input. Never from the command line, where it would land in shell history and `ps`.
enum SecretInput {
    /// The longest line read; longer input is refused, not truncated.
    static let maximumLength = 4096

    enum Failure: Error, CustomStringConvertible {
        case empty
        case tooLong

        var description: String {
            switch self {
            case .empty: "no secret on standard input"
            case .tooLong: "the secret on standard input is longer than \(SecretInput.maximumLength) bytes"
            }
        }
    }

    /// The secret's bytes, without the line ending.
    static func read(prompt: String) throws -> [UInt8] {
        let isTerminal = isatty(STDIN_FILENO) == 1
        var saved = termios()
        if isTerminal {
            FileHandle.standardError.write(Data(prompt.utf8))
            tcgetattr(STDIN_FILENO, &saved)
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        }
        defer {
            if isTerminal {
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                FileHandle.standardError.write(Data("\n".utf8))
            }
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while Glibc.read(STDIN_FILENO, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { break }
            guard line.count < maximumLength else {
                SecretBytes.wipe(&line)
                throw Failure.tooLong
            }
            line.append(byte)
        }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        guard !line.isEmpty else { throw Failure.empty }
        return line
    }
}
