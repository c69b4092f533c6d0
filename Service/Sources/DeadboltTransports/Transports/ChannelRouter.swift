import DeadboltSignIn

/// One transport for the outbox worker that hands each message to the transport of its channel: email to one,
/// text messages to another.
public struct ChannelRouter: MessageTransport {
    /// Where email goes.
    public let email: any MessageTransport
    /// Where text messages go.
    public let sms: any MessageTransport

    /// A router over `email` and `sms`.
    public init(email: any MessageTransport, sms: any MessageTransport) {
        self.email = email
        self.sms = sms
    }

    /// Sends `message` through the transport of its channel, and throws what that transport throws.
    public func send(_ message: OutgoingMessage) async throws {
        switch message.channel {
        case .email: try await email.send(message)
        case .sms: try await sms.send(message)
        }
    }
}
