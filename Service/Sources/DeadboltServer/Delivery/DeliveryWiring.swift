import DeadboltSignIn
import DeadboltTransports

/// The transport the outbox worker delivers through, built from ``DeliveryConfiguration``: the development mailbox,
/// or an SMTP relay for email and an SMS gateway for text messages (docs/deploy.md, "Delivery").
struct DeliveryWiring {
    /// What the outbox worker sends through.
    let transport: any MessageTransport
    /// The development mailbox, in development mode.
    let mailbox: DevelopmentMailbox?

    /// - Throws: ``ConfigurationError`` when the mailbox folder cannot be made.
    init(configuration: ServerConfiguration) throws(ConfigurationError) {
        let threads: BlockingCallThreads
        do { threads = try BlockingCallThreads() } catch {
            throw .invalidValue(setting: "delivery", reason: error.description)
        }
        switch configuration.delivery {
        case .developmentMailbox:
            let mailbox: DevelopmentMailbox
            do { mailbox = try DevelopmentMailbox(folder: configuration.dataFolder + "/mailbox") } catch {
                throw .dataFolder("the development mailbox \(configuration.dataFolder)/mailbox: \(error)")
            }
            self.mailbox = mailbox
            transport = MailboxTransport(
                mailbox: mailbox, sender: try DeliveryRelays.developmentSender, threads: threads)
        case .relays(let relays):
            mailbox = nil
            let email: any MessageTransport =
                relays.smtp.map {
                    SMTPTransport(client: SMTPClient(configuration: $0, threads: threads), sender: relays.sender)
                } ?? UnconfiguredChannelTransport(reason: "no SMTP relay is configured (--smtp-host)")
            let sms: any MessageTransport =
                relays.sms.map { SMSGatewayTransport(client: SMSGatewayClient(configuration: $0, threads: threads)) }
                ?? UnconfiguredChannelTransport(reason: "no SMS gateway is configured (--sms-gateway-url)")
            transport = ChannelRouter(email: email, sms: sms)
        }
    }
}
