/// Why the development mailbox could not be read.
public enum MailboxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The name is not one the mailbox writes (`<16 digits>-<16 hex digits>.eml`): never a path.
    case invalidName
    /// No message has that name.
    case notFound
    /// Listing the folder or reading a file failed with this `errno`.
    case readFailed(errno: Int32)
    /// The file is not a message this reader can parse; the text says why.
    case unreadableMessage(String)

    public var description: String {
        switch self {
        case .invalidName: "not a mailbox message name (expected 16 digits, a dash, 16 hex digits and .eml)"
        case .notFound: "no message with that name in the mailbox"
        case .readFailed(let code): "reading the mailbox failed (errno \(code))"
        case .unreadableMessage(let reason): "the message cannot be read: \(reason)"
        }
    }
}
