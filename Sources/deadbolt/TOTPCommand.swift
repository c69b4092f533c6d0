import ArgumentParser
import CQRCode
import Deadbolt
import Foundation

/// `deadbolt totp`: enroll an authenticator, print the current code, or check a code, for operators.
struct TOTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "totp",
        abstract: "TOTP (RFC 6238) enrollment and codes.",
        discussion: """
            Secrets never appear on the command line: `code` reads the base32 secret from standard input, `verify` \
            reads it from a file and the code from standard input.
            """,
        subcommands: [Enroll.self, Code.self, Verify.self]
    )

    /// Options that describe a TOTP credential.
    struct Parameters: ParsableArguments {
        @Option(help: "HMAC hash: SHA1, SHA256 or SHA512.")
        var algorithm: String = "SHA1"
        @Option(help: "Digits per code, 6 to 8.")
        var digits: Int = 6
        @Option(help: "Time step in seconds.")
        var period: UInt64 = 30

        func hash() throws -> HashFunction {
            guard let hash = HashFunction(rawValue: algorithm.uppercased()) else {
                throw usage("--algorithm must be SHA1, SHA256 or SHA512")
            }
            return hash
        }
    }

    struct Enroll: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate a TOTP secret and print its otpauth:// URI and a QR code to scan.",
            discussion: """
                The URI and QR code hold the new secret: show them only to the person enrolling. Files written \
                with --svg or --png are created with mode 0600 and never overwrite an existing file. Warnings about \
                parameters that some authenticator apps ignore go to standard error.

                Exit codes: 0 enrolled; 2 bad usage (a missing or unknown option, a bad option value, or an output \
                file that exists or cannot be written), as for every deadbolt command.
                """)

        @Option(help: "The provider name shown in the app (no ':').")
        var issuer: String
        @Option(help: "The account name shown in the app (no ':').")
        var account: String
        @OptionGroup var parameters: Parameters
        @Option(help: "Also write the QR code as an SVG file.")
        var svg: String?
        @Option(help: "Also write the QR code as a PNG file.")
        var png: String?
        @Flag(help: "Print the URI only, without the terminal QR code.")
        var noQR = false

        func run() async throws {
            let uri: OTPAuthURI
            do {
                uri = try OTPAuthURI.newTOTP(
                    issuer: issuer, accountName: account, algorithm: try parameters.hash(), digits: parameters.digits,
                    period: parameters.period)
            } catch let error as OTPAuthURIError {
                throw usage("\(error)")
            }
            for warning in uri.compatibilityWarnings { standardError("warning: \(warning)") }
            let text = uri.uri
            guard let matrix = QRMatrix(encoding: text) else { throw usage("the URI is too long for a QR code") }
            if let svg { try writeNew(svg, Array(matrix.svg().utf8)) }
            if let png { try writeNew(png, matrix.png(scale: 8)) }
            print(text)
            if !noQR { print(matrix.terminalText(), terminator: "") }
        }
    }

    struct Code: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the current code for a base32 secret read from standard input.",
            discussion: "Exit codes: 0 printed; 2 bad usage (a malformed secret or option value).")

        @OptionGroup var parameters: Parameters
        @Option(help: "Unix time to compute the code for, instead of now.")
        var at: UInt64?

        func run() async throws {
            let totp = try readTOTP(from: try SecretInput.read(prompt: "Base32 secret: "), parameters)
            do {
                print(try totp.code(at: at ?? SystemClock().unixSeconds()))
            } catch let error as OTPError {
                throw usage("\(error)")
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a code read from standard input against the secret in a file.",
            discussion: """
                The secret file holds a base32 secret or an otpauth:// URI (whose parameters then override the \
                options). No replay protection: this is a check for operators, not a sign-in.

                Exit codes: 0 the code matches (the drift in steps is printed); 1 it does not; 2 bad usage (an \
                unreadable or malformed secret file, a bad option value).
                """)

        @Option(help: "A file holding the base32 secret or an otpauth:// URI.")
        var secretFile: String
        @OptionGroup var parameters: Parameters
        @Option(help: "Steps in the past accepted.")
        var past: Int = 1
        @Option(help: "Steps in the future accepted.")
        var future: Int = 1
        @Option(help: "Unix time to check the code at, instead of now.")
        var at: UInt64?

        func run() async throws {
            let totp = try readTOTP(from: try readSecretFile(secretFile), parameters)
            var code = try SecretInput.read(prompt: "Code: ")
            defer { SecretBytes.wipe(&code) }
            let match: OTPMatch?
            do {
                match = try totp.match(
                    String(decoding: code, as: UTF8.self), at: at ?? SystemClock().unixSeconds(),
                    window: OTPWindow(past: past, future: future))
            } catch let error as OTPError {
                throw usage("\(error)")
            }
            guard let match else {
                print("no match")
                throw ExitCode(1)
            }
            print("match, drift \(match.drift)")
        }
    }
}

/// A usage error: printed to standard error, exit code 2.
private func usage(_ message: String) -> ExitCode {
    standardError("error: \(message)")
    return ExitCode(2)
}

private func standardError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A TOTP generator from a base32 secret or an otpauth URI (which wipes `input` when done).
private func readTOTP(from input: [UInt8], _ parameters: TOTPCommand.Parameters) throws -> TOTP {
    var input = input
    defer { SecretBytes.wipe(&input) }
    while let last = input.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") || last == UInt8(ascii: " ") {
        input.removeLast()
    }
    let text = String(decoding: input, as: UTF8.self)
    do {
        if text.lowercased().hasPrefix("otpauth://") {
            guard let totp = try OTPAuthURI.parse(text).totp() else { throw usage("the URI is not a totp URI") }
            return totp
        }
        guard var secret = Base32.decode(text) else { throw usage("the secret is not base32") }
        defer { SecretBytes.wipe(&secret) }
        return try TOTP(secret: secret, hash: try parameters.hash(), digits: parameters.digits, period: parameters.period)
    } catch let error as OTPAuthURIError {
        throw usage("\(error)")
    } catch let error as OTPError {
        throw usage("\(error)")
    }
}

/// The bytes of a secret file, at most 4 KiB.
private func readSecretFile(_ path: String) throws -> [UInt8] {
    guard let handle = FileHandle(forReadingAtPath: path) else { throw usage("cannot read \(path)") }
    defer { try? handle.close() }
    guard let data = try? handle.read(upToCount: 4097), data.count <= 4096 else {
        throw usage("\(path) is unreadable or longer than 4096 bytes")
    }
    return Array(data)
}

/// Creates `path` with mode 0600 and writes `bytes`; refuses an existing file.
private func writeNew(_ path: String, _ bytes: [UInt8]) throws {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
    guard descriptor >= 0 else { throw usage("cannot create \(path) (it may already exist)") }
    defer { close(descriptor) }
    var written = 0
    while written < bytes.count {
        let result = bytes[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard result > 0 else { throw usage("cannot write \(path)") }
        written += result
    }
}

/// A QR code's modules (Deadbolt's encoder in CQRCode, error correction level M), and its renderings. The modules
/// and renderings encode the secret and, like the URI string, are Swift values that cannot be wiped: the tool
/// prints them and exits (SECURITY.md, "What is wiped").
struct QRMatrix {
    /// Modules on a side, without the quiet zone.
    let width: Int
    /// `width * width` modules, row by row: `true` is dark.
    let dark: [Bool]
    /// ISO/IEC 18004 asks a light border of 4 modules around the symbol.
    static let quietZone = 4

    init?(encoding text: String) {
        var modules = [UInt8](repeating: 0, count: Int(DBT_QRCODE_MAX_WIDTH) * Int(DBT_QRCODE_MAX_WIDTH))
        let bytes = Array(text.utf8)
        let width = Int(dbt_qrcode_encode(bytes, bytes.count, &modules, modules.count))
        guard width > 0 else { return nil }
        self.width = width
        dark = modules.prefix(width * width).map { $0 != 0 }
    }

    /// Whether the module at (x, y), in coordinates that include the quiet zone, is dark.
    func isDark(_ x: Int, _ y: Int) -> Bool {
        let (column, row) = (x - Self.quietZone, y - Self.quietZone)
        guard column >= 0, row >= 0, column < width, row < width else { return false }
        return dark[row * width + column]
    }

    /// The code in Unicode half blocks, two module rows per line, drawn black on an explicit white background
    /// (ANSI colours) so that phones scan it on dark terminal themes too.
    func terminalText() -> String {
        let side = width + 2 * Self.quietZone
        var text = ""
        for y in stride(from: 0, to: side, by: 2) {
            text += "\u{1B}[38;5;16;48;5;231m"
            for x in 0..<side {
                switch (isDark(x, y), isDark(x, y + 1)) {
                case (true, true): text += "█"
                case (true, false): text += "▀"
                case (false, true): text += "▄"
                case (false, false): text += " "
                }
            }
            text += "\u{1B}[0m\n"
        }
        return text
    }

    /// The code as SVG, one unit a module, quiet zone included.
    func svg() -> String {
        let side = width + 2 * Self.quietZone
        var path = ""
        for y in 0..<side {
            for x in 0..<side where isDark(x, y) { path += "M\(x) \(y)h1v1h-1z" }
        }
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(side) \(side)" width="\(side * 8)" \
            height="\(side * 8)" shape-rendering="crispEdges">
            <rect width="\(side)" height="\(side)" fill="#ffffff"/>
            <path d="\(path)" fill="#000000"/>
            </svg>

            """
    }

    /// The code as an 8-bit greyscale PNG, `scale` pixels a module. The image data is zlib with stored
    /// (uncompressed) deflate blocks (RFC 1950, RFC 1951 §3.2.4), so no zlib is needed: about 200 KB at scale 8 for a typical enrollment URI.
    func png(scale: Int) -> [UInt8] {
        let side = (width + 2 * Self.quietZone) * scale
        var raw: [UInt8] = []
        raw.reserveCapacity(side * (side + 1))
        for y in 0..<side {
            raw.append(0)  // filter type None
            for x in 0..<side { raw.append(isDark(x / scale, y / scale) ? 0 : 255) }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let count = min(65_535, raw.count - offset)
            zlib.append(offset + count == raw.count ? 1 : 0)
            zlib += [UInt8(count & 0xff), UInt8(count >> 8), UInt8(~count & 0xff), UInt8((~count >> 8) & 0xff)]
            zlib += raw[offset..<offset + count]
            offset += count
        } while offset < raw.count
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in raw {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        zlib += bigEndian(b << 16 | a)
        var header = bigEndian(UInt32(side)) + bigEndian(UInt32(side))
        header += [8, 0, 0, 0, 0]  // bit depth 8, greyscale, deflate, filter 0, no interlace
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header) + chunk("IDAT", zlib)
            + chunk("IEND", [])
    }

    private func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(Self.crc32(body))
    }

    private func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    /// CRC-32 as PNG uses it (ISO 3309, reflected polynomial 0xEDB88320).
    private static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
