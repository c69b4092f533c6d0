import Deadbolt
import DeadboltSignIn

/// Delivers the outbox's email messages through an SMTP relay (``SMTPClient``).
///
/// The outbox message's id becomes the Message-ID's left part, so a message the worker sends twice (it died
/// between sending and marking) carries one Message-ID and a receiver can tell. Text messages are refused for good:
/// give the worker of that channel an ``SMSGatewayTransport``, or route with ``ChannelRouter``.
public struct SMTPTransport: MessageTransport {
    /// The relay client.
    public let client: SMTPClient
    /// The `From` of every message.
    public let sender: NamedMailAddress
    private let clock: any WallClock

    /// A transport sending as `sender` through `client`, with `Date` headers from `clock`.
    public init(client: SMTPClient, sender: NamedMailAddress, clock: any WallClock = SystemClock()) {
        self.client = client
        self.sender = sender
        self.clock = clock
    }

    /// Sends `message` by email.
    /// - Throws: ``DeadboltSignIn/MessageDeliveryError``: permanent for another channel, an address SMTP cannot
    ///   carry (non-ASCII) or a relay's 5xx; temporary for timeouts, unreachable relays and 4xx.
    public func send(_ message: OutgoingMessage) async throws {
        guard message.channel == .email else { throw MessageDeliveryError.permanent("SMTP carries email only") }
        let email: EmailMessage
        do {
            email = try EmailMessage(
                from: sender, to: [NamedMailAddress(MailAddress(message.destination, field: "destination"))],
                subject: message.rendered.subject, body: message.rendered.body, identifier: message.id.rawValue)
        } catch {
            throw MessageDeliveryError.permanent(error.description)
        }
        do {
            try await client.send(email, unixSeconds: Int64(clock.unixSeconds()))
        } catch {
            throw error.messageDeliveryError
        }
    }
}
