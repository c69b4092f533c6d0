#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a pepper key file was refused. Never carries a key's bytes.
public enum PepperKeyFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(path: String)
    /// Group or others may read or write the file (`mode` is its permission bits): as `ssh` refuses a private key
    /// in that state, the pepper is refused; `chmod 600` the file.
    case permissionsTooOpen(path: String, mode: UInt32)
    /// The file is larger than ``PepperKeyring/maximumKeyFileSize``.
    case tooLarge(maximum: Int)
    /// A line is not `id:hex`.
    case malformedLine(number: Int)
    /// A line's key is refused by ``PepperKey/init(id:secret:)`` (its id, its length, or an id used twice).
    case invalidKey(line: Int, reason: String)
    /// The file holds no key.
    case noKey

    public var description: String {
        switch self {
        case .unreadable(let path): "cannot read the pepper file \(path)"
        case .permissionsTooOpen(let path, let mode):
            "the pepper file \(path) can be read or written by group or others (mode \(Self.octal(mode))); "
                + "run: chmod 600 \(path)"
        case .tooLarge(let maximum): "the pepper file is larger than \(maximum) bytes"
        case .malformedLine(let number): "pepper file line \(number) is not 'id:hex'"
        case .invalidKey(let line, let reason): "pepper file line \(line): \(reason)"
        case .noKey: "the pepper file holds no key"
        }
    }

    /// Permission bits as `ls` and `chmod` write them: four octal digits.
    private static func octal(_ mode: UInt32) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}

extension PepperKeyring {
    /// The largest pepper key file read: far more than any keyring needs, and a bound on what is held in memory.
    public static let maximumKeyFileSize = 65_536

    /// Reads a pepper key file (see ``init(keyFile:)``) from `path`.
    ///
    /// Like `ssh` with a private key, refuses a file that group or others may read or write, before reading a byte
    /// of it. The bytes are read into one buffer (``BoundedRead``), wiped before returning; nothing else holds them.
    /// - Throws: ``PepperKeyFileError``.
    public init(contentsOfKeyFile path: String) throws(PepperKeyFileError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw .unreadable(path: path) }
        defer { close(descriptor) }
        // fstat on the open descriptor: the permissions checked are those of the file read, not of a path that
        // could be swapped in between.
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .unreadable(path: path) }
        let permissions = UInt32(status.st_mode) & 0o7777
        guard permissions & 0o077 == 0 else { throw .permissionsTooOpen(path: path, mode: permissions) }

        do {
            self = try BoundedRead.contents(of: descriptor, maximum: Self.maximumKeyFileSize) { contents in
                try PepperKeyring(keyFile: contents)
            }
        } catch let error as PepperKeyFileError {
            throw error
        } catch BoundedRead.Failure.tooLarge(let maximum) {
            throw .tooLarge(maximum: maximum)
        } catch {
            throw .unreadable(path: path)
        }
    }

    /// Parses the text of a pepper key file: one key a line, `id:hex` (the id as ``PepperKey/isValidID(_:)``
    /// allows, the secret in hexadecimal, 32 to 1024 bytes); the first key is the current one, the rest are
    /// retired. Blank lines and lines starting with `#` are skipped; spaces, tabs and a `\r` before the line end
    /// are ignored.
    ///
    /// The hex is decoded straight from `contents` into one buffer that is wiped once the key holds its copy; the
    /// caller wipes `contents`.
    /// - Throws: ``PepperKeyFileError`` naming the first bad line, never its bytes.
    public init(keyFile contents: some Collection<UInt8>) throws(PepperKeyFileError) {
        guard contents.count <= Self.maximumKeyFileSize else { throw .tooLarge(maximum: Self.maximumKeyFileSize) }
        var keys: [PepperKey] = []
        var number = 0
        var lineStart = contents.startIndex
        while lineStart != contents.endIndex {
            number += 1
            let lineEnd = contents[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? contents.endIndex
            let line = contents[lineStart..<lineEnd].lazy.filter { !Self.isBlank($0) }
            lineStart = lineEnd == contents.endIndex ? lineEnd : contents.index(after: lineEnd)
            guard let first = line.first, first != UInt8(ascii: "#") else { continue }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .malformedLine(number: number) }
            let id = String(decoding: line[..<colon], as: UTF8.self)
            guard !keys.contains(where: { $0.id == id }) else {
                throw .invalidKey(line: number, reason: "the id \(id) is used by an earlier line")
            }
            guard var secret = Hex.decode(utf8: line[line.index(after: colon)...]) else {
                throw .malformedLine(number: number)
            }
            defer { SecretBytes.wipe(&secret) }
            do {
                keys.append(try PepperKey(id: id, secret: secret))
            } catch {
                throw .invalidKey(line: number, reason: Self.reason(error))
            }
        }
        guard let current = keys.first else { throw .noKey }
        do {
            try self.init(current: current, retired: Array(keys.dropFirst()))
        } catch {
            throw .invalidKey(line: number, reason: Self.reason(error))  // unreachable: ids were checked per line
        }
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
    }

    private static func reason(_ error: any Error) -> String {
        if case HashingError.invalidPepperKey(let reason)? = error as? HashingError { return reason }
        return "\(error)"
    }
}
