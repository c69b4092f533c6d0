import DeadboltSignIn

/// Delivers the outbox's text messages through an SMS gateway (``SMSGatewayClient``), sending the rendered short
/// text. The outbox message's id is the request's idempotency key, so a gateway that honours it sends a message the
/// worker delivers twice only once.
public struct SMSGatewayTransport: MessageTransport {
    /// The gateway client.
    public let client: SMSGatewayClient

    /// A transport posting through `client`.
    public init(client: SMSGatewayClient) {
        self.client = client
    }

    /// Sends `message` as a text message.
    /// - Throws: ``DeadboltSignIn/MessageDeliveryError``: permanent for another channel, a destination that is not
    ///   E.164, or a gateway's 4xx other than 408 and 429; temporary otherwise.
    public func send(_ message: OutgoingMessage) async throws {
        guard message.channel == .sms else {
            throw MessageDeliveryError.permanent("the SMS gateway carries text messages only")
        }
        let sms: SMSMessage
        do {
            sms = try SMSMessage(
                to: message.destination, text: message.rendered.shortText, reference: message.id.rawValue)
        } catch {
            throw MessageDeliveryError.permanent(error.description)
        }
        do {
            try await client.send(sms)
        } catch {
            throw error.messageDeliveryError
        }
    }
}
