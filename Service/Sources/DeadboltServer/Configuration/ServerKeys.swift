import Deadbolt

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server's four secrets, each a keyring of `id:hex` lines (current key first, retired ones after, the format of
/// `deadbolt hash --pepper-file`): the PIN and password **pepper**, the **sealing** key for TOTP secrets and identity
/// facts at rest, the **code-hashing** key for one-time codes, recovery codes and token digests, and the **cookie**
/// key for the CSRF tokens of forms. None of them is ever printed or logged (each prints as its id only).
public struct ServerKeys: Sendable {
    /// The pepper for PIN and password hashes.
    public let pepper: PepperKeyring
    /// The AES-256-GCM keys for secrets at rest.
    public let sealing: SealingKeyring
    /// The server key from which the sign-in system derives its keys for code, token and recovery-code digests
    /// (``DeadboltSignIn/SignInSecrets``); the current one.
    public let codeHashing: SecretBytes
    /// The HMAC key for the server's own cookies (the current one, 32 bytes or more).
    public let cookie: SecretBytes
    /// The id of the current cookie key.
    public let cookieKeyID: String

    /// The four keys, in the order the server reads them.
    public enum Kind: String, Sendable, CaseIterable {
        case pepper, sealing
        case codeHashing = "code-hashing"
        case cookie

        /// The file the embedded default keeps this key in, inside the data folder.
        public var fileName: String { "\(rawValue).key" }
        /// The command-line option that names a file holding this key.
        public var option: String { "--\(rawValue)-file" }
        /// The environment variable that may hold this key's `id:hex` lines instead of a file.
        public var environmentVariable: String {
            "DEADBOLT_\(rawValue.uppercased().replacingOccurrences(of: "-", with: "_"))_KEYS"
        }
        /// The bytes a generated key has: 32, what AES-256 needs and the minimum of the pepper and code keys.
        static let generatedLength = 32
    }

    /// Where one key comes from.
    public enum Source: Sendable, Equatable {
        /// A file of `id:hex` lines.
        case file(String)
        /// An environment variable holding `id:hex` lines.
        case environment(String)
        /// The data folder: read `<folder>/<kind>.key`, created (mode 0600) on first start.
        case dataFolder(String)
    }

    /// Reads (or, from the data folder, creates) every key.
    ///
    /// - Throws: ``ConfigurationError/keyMaterial(_:)`` naming the key and the file or variable, never the bytes.
    public static func load(
        _ sources: [Kind: Source], environment: [String: String]
    ) throws(ConfigurationError) -> ServerKeys {
        func lines(_ kind: Kind) throws(ConfigurationError) -> [KeyLine] {
            guard let source = sources[kind] else { throw .keyMaterial("no source for the \(kind.rawValue) key") }
            return try KeyLine.read(kind: kind, from: source, environment: environment)
        }
        do {
            let pepperLines = try lines(.pepper)
            let pepperKeys = try pepperLines.map { try PepperKey(id: $0.id, secret: $0.secret) }
            let pepper = try PepperKeyring(current: pepperKeys[0], retired: Array(pepperKeys.dropFirst()))
            let sealingKeys = try lines(.sealing).map { try SealingKey(id: $0.id, key: $0.secret) }
            let sealing = try SealingKeyring(current: sealingKeys[0], retired: Array(sealingKeys.dropFirst()))
            let codeHashing = try lines(.codeHashing)[0].secret
            let cookieLine = try lines(.cookie)[0]
            guard cookieLine.secret.count >= 32 else {
                throw ConfigurationError.keyMaterial("the cookie key must be at least 32 bytes")
            }
            return ServerKeys(
                pepper: pepper, sealing: sealing, codeHashing: codeHashing, cookie: cookieLine.secret,
                cookieKeyID: cookieLine.id)
        } catch let error as ConfigurationError {
            throw error
        } catch {
            // The engine's errors name ids and lengths only (PepperKey, SealingKey, CodeHashingKey).
            throw .keyMaterial("a key was refused: \(error)")
        }
    }
}

/// One `id:hex` line of a key file.
struct KeyLine {
    let id: String
    let secret: SecretBytes

    /// A key file is small: a few keys of at most 1024 bytes each.
    static let maximumFileBytes = 65_536

    static func read(
        kind: ServerKeys.Kind, from source: ServerKeys.Source, environment: [String: String]
    ) throws(ConfigurationError) -> [KeyLine] {
        switch source {
        case .file(let path):
            var bytes = try readFile(path, kind: kind)
            defer { SecretBytes.wipe(&bytes) }
            return try parse(bytes, origin: "the \(kind.rawValue) key file \(path)")
        case .environment(let name):
            guard let text = environment[name] else {
                throw .keyMaterial("the environment variable \(name) (\(kind.rawValue) key) is not set")
            }
            var bytes = Array(text.utf8)
            defer { SecretBytes.wipe(&bytes) }
            return try parse(bytes, origin: "the environment variable \(name)")
        case .dataFolder(let folder):
            let path = folder + "/" + kind.fileName
            if access(path, F_OK) != 0 { try generate(path, kind: kind) }
            var bytes = try readFile(path, kind: kind, requirePrivate: true)
            defer { SecretBytes.wipe(&bytes) }
            return try parse(bytes, origin: "the \(kind.rawValue) key file \(path)")
        }
    }

    /// Parses `id:hex` lines; blank lines and `#` comments are skipped. At least one key.
    static func parse(_ bytes: [UInt8], origin: String) throws(ConfigurationError) -> [KeyLine] {
        guard bytes.count <= maximumFileBytes else { throw .keyMaterial("\(origin) is larger than 64 KiB") }
        var keys: [KeyLine] = []
        let blank: Set<UInt8> = [UInt8(ascii: " "), UInt8(ascii: "\r"), UInt8(ascii: "\t")]
        for (number, line) in bytes.split(separator: UInt8(ascii: "\n")).enumerated() {
            var trimmed = line.filter { !blank.contains($0) }
            defer { SecretBytes.wipe(&trimmed) }
            if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") { continue }
            let parts = trimmed.split(separator: UInt8(ascii: ":"), maxSplits: 1)
            let id = parts.first.map { String(decoding: $0, as: UTF8.self) } ?? ""
            guard parts.count == 2, !id.isEmpty, id.utf8.count <= 32,
                id.utf8.allSatisfy({
                    $0 < 0x80 && (Character(Unicode.Scalar($0)).isLetter || Character(Unicode.Scalar($0)).isNumber)
                }),
                var secret = Hex.decode(String(decoding: parts[1], as: UTF8.self))
            else {
                throw .keyMaterial(
                    "\(origin): line \(number + 1) is not 'id:hex' (an id of letters and digits, then the key in hex)")
            }
            defer { SecretBytes.wipe(&secret) }
            guard secret.count >= 32, secret.count <= 1024 else {
                throw .keyMaterial("\(origin): the key '\(id)' must be 32 to 1024 bytes (64 to 2048 hex digits)")
            }
            keys.append(KeyLine(id: id, secret: SecretBytes(secret)))
        }
        guard !keys.isEmpty else { throw .keyMaterial("\(origin) holds no key") }
        return keys
    }

    /// Reads a key file whole; with `requirePrivate`, refuses one that group or others can read (a file the server
    /// made is 0600: a wider mode means someone changed it).
    static func readFile(
        _ path: String, kind: ServerKeys.Kind, requirePrivate: Bool = false
    ) throws(ConfigurationError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .keyMaterial("cannot read the \(kind.rawValue) key file \(path)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw .keyMaterial("the \(kind.rawValue) key file \(path) is not a regular file")
        }
        if requirePrivate, status.st_mode & 0o077 != 0 {
            throw .keyMaterial("the \(kind.rawValue) key file \(path) can be read by others: chmod 600 it")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { SecretBytes.wipe(&chunk) }
        while bytes.count <= maximumFileBytes {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 { throw .keyMaterial("cannot read the \(kind.rawValue) key file \(path)") }
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    /// Creates `path` (mode 0600, never over an existing file) holding one fresh random key named `k1`.
    static func generate(_ path: String, kind: ServerKeys.Kind) throws(ConfigurationError) {
        var secret: [UInt8]
        do { secret = try SecureRandom.bytes(count: ServerKeys.Kind.generatedLength) } catch {
            throw .keyMaterial("the system random generator failed while making the \(kind.rawValue) key")
        }
        defer { SecretBytes.wipe(&secret) }
        var text = Array("# Deadbolt \(kind.rawValue) key, made on first start. Keep it secret; back it up.\nk1:".utf8)
        text += Array(Hex.encode(secret).utf8) + [UInt8(ascii: "\n")]
        defer { SecretBytes.wipe(&text) }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .keyMaterial("cannot create the \(kind.rawValue) key file \(path)") }
        defer { close(descriptor) }
        var written = 0
        while written < text.count {
            let count = text[written...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { throw .keyMaterial("cannot write the \(kind.rawValue) key file \(path)") }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw .keyMaterial("cannot sync the \(kind.rawValue) key file \(path)") }
    }
}
