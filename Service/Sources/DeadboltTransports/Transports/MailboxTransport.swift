import Deadbolt
import DeadboltSignIn

/// Delivers every outbox message into a ``DevelopmentMailbox`` instead of sending it: what the server does in
/// development mode, where no relay or gateway exists.
///
/// Email is written as it would be sent. A text message is written as an email too, to `<number>@sms.invalid`
/// (`.invalid` is reserved never to resolve, RFC 2606 §2) with its short text as the body, so one page lists both;
/// ``MailboxMessage/channel`` and ``MailboxMessage/destination`` tell them apart when read back. The files are
/// written on ``BlockingCallThreads``, never on the caller's executor.
public struct MailboxTransport: MessageTransport {
    /// The domain text messages are addressed to in the mailbox.
    public static let smsDomain = "sms.invalid"

    /// The mailbox.
    public let mailbox: DevelopmentMailbox
    /// The `From` of every message.
    public let sender: NamedMailAddress
    private let threads: BlockingCallThreads
    private let clock: any WallClock

    /// A transport writing into `mailbox` on `threads`, as `sender`, with times from `clock`.
    public init(
        mailbox: DevelopmentMailbox, sender: NamedMailAddress, threads: BlockingCallThreads,
        clock: any WallClock = SystemClock()
    ) {
        self.mailbox = mailbox
        self.sender = sender
        self.threads = threads
        self.clock = clock
    }

    /// Writes `message` into the mailbox.
    /// - Throws: ``DeadboltSignIn/MessageDeliveryError``: permanent for a destination that cannot be written as an
    ///   address, temporary when the file cannot be written.
    public func send(_ message: OutgoingMessage) async throws {
        let email: EmailMessage
        do {
            switch message.channel {
            case .email:
                email = try EmailMessage(
                    from: sender, to: [NamedMailAddress(MailAddress(message.destination, field: "destination"))],
                    subject: message.rendered.subject, body: message.rendered.body, identifier: message.id.rawValue)
            case .sms:
                let address = try MailAddress(message.destination + "@" + Self.smsDomain, field: "destination")
                email = try EmailMessage(
                    from: sender, to: [NamedMailAddress(address)], subject: "Text message to \(message.destination)",
                    body: message.rendered.shortText, identifier: message.id.rawValue)
            }
        } catch {
            throw MessageDeliveryError.permanent(error.description)
        }
        let milliseconds = clock.millisecondsSinceEpoch()
        let bytes = email.rendered(unixSeconds: milliseconds / 1000)
        let mailbox = mailbox
        do {
            _ = try await threads.run { () throws(DeliveryFailure) in
                try mailbox.store(bytes, millisecondsSinceEpoch: milliseconds)
            }
        } catch {
            throw error.messageDeliveryError
        }
    }
}

extension MailboxMessage {
    /// Whether this is an email or a text message written by ``MailboxTransport``.
    public var channel: DeliveryChannel {
        email.recipients.first?.hasSuffix("@" + MailboxTransport.smsDomain) == true ? .sms : .email
    }

    /// The email address or, for a text message, the phone number it was sent to.
    public var destination: String {
        let recipient = email.recipients.first ?? ""
        guard channel == .sms, let at = recipient.lastIndex(of: "@") else { return recipient }
        return String(recipient[..<at])
    }
}
