import DeadboltSignIn

/// The transport of a channel the deployment has not configured (a server with an SMTP relay and no SMS gateway):
/// every message is refused for good, with a reason that names the setting, so the outbox gives it up at once
/// instead of retrying something that cannot work.
public struct UnconfiguredChannelTransport: MessageTransport {
    /// What is missing, as the outbox records it: "no SMS gateway is configured (--sms-gateway-url)".
    public let reason: String

    /// A transport refusing with `reason`.
    public init(reason: String) {
        self.reason = reason
    }

    /// Refuses `message`.
    /// - Throws: ``DeadboltSignIn/MessageDeliveryError/permanent(_:)`` always.
    public func send(_ message: OutgoingMessage) async throws {
        throw MessageDeliveryError.permanent(reason)
    }
}
