#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Deadbolt

/// A folder of `.eml` files that stands in for real delivery on a developer's machine: every message the server
/// would send is written here, and the server's `/dev/mailbox` page (development mode only) and the browser tests
/// read them back.
///
/// Each message is one file named `<milliseconds since 1970, 16 digits>-<64 random bits in hex>.eml`, so names
/// sort by arrival. A file is written under a temporary name, flushed to disk and renamed into place (rename is
/// atomic), so a reader never sees half a message; files are mode 0600 and the folder 0700, because messages carry
/// codes. The calls here block on the disk: the transport runs them on ``BlockingCallThreads``.
public struct DevelopmentMailbox: Sendable {
    /// The most messages one listing returns.
    public static let maximumListing = 1000

    /// The folder's path.
    public let folder: String

    /// Uses `folder`, creating it (mode 0700) when it does not exist; its parent must exist.
    /// - Throws: ``TransportConfigurationError/mailboxFolderUnusable(errno:)`` when it cannot be created or is not a
    ///   folder, ``TransportConfigurationError/malformed(setting:expected:)`` for an empty path.
    public init(folder: String) throws(TransportConfigurationError) {
        guard !folder.isEmpty, !folder.utf8.contains(0) else {
            throw .malformed(setting: "mailbox folder", expected: "a path")
        }
        if mkdir(folder, 0o700) != 0, errno != EEXIST { throw .mailboxFolderUnusable(errno: errno) }
        var status = stat()
        guard stat(folder, &status) == 0 else { throw .mailboxFolderUnusable(errno: errno) }
        guard status.st_mode & S_IFMT == S_IFDIR else { throw .mailboxFolderUnusable(errno: ENOTDIR) }
        self.folder = folder
    }

    /// Writes one message atomically and answers its file name.
    /// - Parameter millisecondsSinceEpoch: the arrival time that names the file, from the caller's wall clock.
    /// - Throws: ``DeliveryFailure/mailboxWriteFailed(errno:)``.
    public func store(_ message: [UInt8], millisecondsSinceEpoch: Int64) throws(DeliveryFailure) -> String {
        let random: [UInt8]
        do { random = try SecureRandom.bytes(count: 8) } catch { throw .mailboxWriteFailed(errno: EIO) }
        let stamp = String(max(0, millisecondsSinceEpoch))
        let name = String(repeating: "0", count: max(0, 16 - stamp.count)) + stamp + "-" + Hex.encode(random) + ".eml"
        let temporaryPath = folder + "/." + name + ".tmp"
        let finalPath = folder + "/" + name
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw .mailboxWriteFailed(errno: errno) }
        var failure: Int32 = 0
        if fchmod(descriptor, 0o600) != 0 { failure = errno }
        if failure == 0 { failure = Self.writeAll(message, to: descriptor) }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporaryPath, finalPath) != 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporaryPath)
            throw .mailboxWriteFailed(errno: failure)
        }
        // The rename is durable only once the folder's entry is on disk.
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
        return name
    }

    /// The newest `limit` messages (at most ``maximumListing``), newest first, with their file names.
    /// - Throws: ``MailboxError`` when the folder or a message cannot be read.
    public func messages(limit: Int = 50) throws(MailboxError) -> [MailboxMessage] {
        let names = try messageNames().sorted(by: >).prefix(max(0, min(limit, Self.maximumListing)))
        var messages: [MailboxMessage] = []
        for name in names { messages.append(MailboxMessage(name: name, email: try message(named: name))) }
        return messages
    }

    /// The message named `name`, as a listing gave it.
    /// - Throws: ``MailboxError/invalidName`` for anything that is not a mailbox file name (so a request cannot
    ///   name another path), ``MailboxError/notFound``, or a read or parse failure.
    public func message(named name: String) throws(MailboxError) -> ReceivedEmail {
        guard Self.isMessageName(name) else { throw .invalidName }
        let descriptor = open(folder + "/" + name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { throw errno == ENOENT ? .notFound : .readFailed(errno: errno) }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .readFailed(errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[..<count])
            guard bytes.count <= ReceivedEmail.maximumSize else {
                throw .unreadableMessage("larger than \(ReceivedEmail.maximumSize) bytes")
            }
        }
        return try ReceivedEmail(parsing: bytes)
    }

    /// The names of the message files in the folder, in no order.
    private func messageNames() throws(MailboxError) -> [String] {
        guard let directory = opendir(folder) else { throw .readFailed(errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if Self.isMessageName(name) { names.append(name) }
        }
        return names
    }

    /// `<16 digits>-<16 lower-case hex digits>.eml`, the only names ``store(_:millisecondsSinceEpoch:)`` writes.
    static func isMessageName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count == 16 + 1 + 16 + 4, bytes[16] == UInt8(ascii: "-"), name.hasSuffix(".eml") else {
            return false
        }
        let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
        let letters = UInt8(ascii: "a")...UInt8(ascii: "f")
        return bytes[..<16].allSatisfy { digits.contains($0) }
            && bytes[17..<33].allSatisfy { digits.contains($0) || letters.contains($0) }
    }

    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32 {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return 0
    }
}

/// One message of the development mailbox: its file name (what ``DevelopmentMailbox/message(named:)`` takes) and
/// its content.
public struct MailboxMessage: Sendable, Equatable {
    /// The file name, `<16 digits>-<16 hex digits>.eml`; names sort by arrival.
    public let name: String
    /// The message.
    public let email: ReceivedEmail
}
