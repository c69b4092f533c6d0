import Foundation
import Deadbolt
import DeadboltTransports

/// How messages (codes and notices) leave the server.
public enum DeliveryConfiguration: Sendable {
    /// `.eml` files under the data folder's `mailbox/`, shown at `/dev/mailbox`: development mode, on a loopback
    /// address only (the page shows codes).
    case developmentMailbox
    /// Email through an SMTP relay and text messages through an SMS gateway; a channel without its relay refuses
    /// its messages for good (logged by the outbox).
    case relays(DeliveryRelays)
}

/// The relays a server delivers through (docs/deploy.md, "Delivery").
public struct DeliveryRelays: Sendable {
    /// The `From` of every email.
    public var sender: NamedMailAddress
    /// The SMTP relay, if email is delivered.
    public var smtp: SMTPRelayConfiguration?
    /// The SMS gateway, if text messages are delivered.
    public var sms: SMSGatewayConfiguration?

    /// Relays; at least one of `smtp` and `sms`.
    public init(sender: NamedMailAddress, smtp: SMTPRelayConfiguration?, sms: SMSGatewayConfiguration?) {
        self.sender = sender
        self.smtp = smtp
        self.sms = sms
    }

    /// The `From` of the development mailbox's messages.
    static var developmentSender: NamedMailAddress {
        get throws(ConfigurationError) {
            do {
                return try NamedMailAddress(displayName: "Deadbolt", address: MailAddress("no-reply@deadbolt.invalid"))
            } catch {
                throw .invalidValue(setting: "--mail-from", reason: error.description)
            }
        }
    }

    /// Reads `--mail-from`: `Name <address@example.gov>` or a bare address, ASCII address, any display name.
    /// - Throws: ``ConfigurationError/invalidValue(setting:reason:)``.
    public static func sender(parsing text: String) throws(ConfigurationError) -> NamedMailAddress {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        do {
            if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
                var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
                if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                    name = String(name.dropFirst().dropLast())
                }
                let address = trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)]
                return try NamedMailAddress(
                    displayName: name.isEmpty ? nil : name, address: MailAddress(String(address), field: "--mail-from"))
            }
            return NamedMailAddress(try MailAddress(trimmed, field: "--mail-from"))
        } catch {
            throw .invalidValue(setting: "--mail-from", reason: error.description)
        }
    }
}

/// The delivery settings as the command line gives them, before they are checked (`deadbolt-server --help`).
public struct DeliveryOptions: Sendable {
    /// `--smtp-host`: the relay; `nil` for no email relay.
    public var smtpHost: String?
    /// `--smtp-port`.
    public var smtpPort = 587
    /// `--smtp-tls`: `required`, `optional`, `none` or `implicit` (``DeadboltTransports/SMTPTLSMode``).
    public var smtpTLS = "required"
    /// `--smtp-user`: AUTH user name; `nil` for no AUTH.
    public var smtpUser: String?
    /// `--smtp-password-file`: the file holding the AUTH password.
    public var smtpPasswordFile: String?
    /// `--smtp-ca-file`: the CAs trusted for the relay instead of the system's.
    public var smtpCAFile: String?
    /// `--mail-from`: the `From` of every email.
    public var mailFrom: String?
    /// `--sms-gateway-url`: the SMS provider's endpoint; `nil` for no text messages.
    public var smsGatewayURL: String?
    /// `--sms-gateway-key-file`: the file holding the gateway's bearer key.
    public var smsGatewayKeyFile: String?
    /// `--sms-sender`: the sender the provider shows.
    public var smsSender: String?
    /// `--sms-ca-file`: the CAs trusted for the gateway instead of the system's.
    public var smsCAFile: String?

    /// No relay: the development mailbox.
    public init() {}

    /// The checked configuration: the development mailbox when neither `smtpHost` nor `smsGatewayURL` is set, relays
    /// otherwise. Secrets come from files or, without a file, from `DEADBOLT_SMTP_PASSWORD` and
    /// `DEADBOLT_SMS_GATEWAY_KEY`.
    /// - Throws: ``ConfigurationError`` naming the setting: a relay setting the transports refuse, a secret that
    ///   cannot be read, SMTP without `--mail-from`, or a relay setting without its relay.
    public func configuration(environment: [String: String]) throws(ConfigurationError) -> DeliveryConfiguration {
        guard smtpHost != nil || smsGatewayURL != nil else {
            let strays = [
                smtpUser.map { _ in "--smtp-user" }, smtpPasswordFile.map { _ in "--smtp-password-file" },
                smtpCAFile.map { _ in "--smtp-ca-file" }, mailFrom.map { _ in "--mail-from" },
                smsGatewayKeyFile.map { _ in "--sms-gateway-key-file" }, smsSender.map { _ in "--sms-sender" },
                smsCAFile.map { _ in "--sms-ca-file" },
            ].compactMap { $0 }
            if let stray = strays.first { throw .conflict("\(stray) needs --smtp-host or --sms-gateway-url") }
            return .developmentMailbox
        }
        var smtp: SMTPRelayConfiguration?
        var sender = try DeliveryRelays.developmentSender
        if let smtpHost {
            guard let mailFrom else {
                throw .conflict(
                    "--smtp-host needs --mail-from, the address your relay sends as (Name <no-reply@example.gov>)")
            }
            sender = try DeliveryRelays.sender(parsing: mailFrom)
            guard let tls = SMTPTLSMode(rawValue: smtpTLS) else {
                throw .invalidValue(setting: "--smtp-tls", reason: "use required, optional, none or implicit")
            }
            var credentials: SMTPCredentials?
            if let smtpUser {
                let password = try SecretSetting.read(
                    file: smtpPasswordFile, environment: environment, variable: "DEADBOLT_SMTP_PASSWORD",
                    setting: "--smtp-password-file")
                do { credentials = try SMTPCredentials(username: smtpUser, password: password) } catch {
                    throw .invalidValue(setting: "--smtp-user/--smtp-password-file", reason: error.description)
                }
            } else if smtpPasswordFile != nil {
                throw .conflict("--smtp-password-file needs --smtp-user")
            }
            do {
                smtp = try SMTPRelayConfiguration(
                    host: smtpHost, port: smtpPort, tls: tls, credentials: credentials, caFile: smtpCAFile)
            } catch {
                throw .invalidValue(
                    setting: "--smtp-host/--smtp-port/--smtp-tls/--smtp-ca-file", reason: error.description)
            }
        }
        var sms: SMSGatewayConfiguration?
        if let smsGatewayURL {
            let key = try SecretSetting.read(
                file: smsGatewayKeyFile, environment: environment, variable: "DEADBOLT_SMS_GATEWAY_KEY",
                setting: "--sms-gateway-key-file")
            do {
                sms = try SMSGatewayConfiguration(
                    url: smsGatewayURL, bearerKey: key, sender: smsSender, caFile: smsCAFile)
            } catch {
                throw .invalidValue(
                    setting: "--sms-gateway-url/--sms-gateway-key-file/--sms-sender", reason: error.description)
            }
        }
        return .relays(DeliveryRelays(sender: sender, smtp: smtp, sms: sms))
    }
}

/// A relay secret (a password, a bearer key): the first line of a file, or an environment variable.
enum SecretSetting {
    static func read(
        file: String?, environment: [String: String], variable: String, setting: String
    ) throws(ConfigurationError) -> SecretBytes {
        var bytes: [UInt8]
        if let file {
            guard var data = FileManager.default.contents(atPath: file), data.count <= 4096 else {
                throw .keyMaterial("\(setting): cannot read \(file) (a file of at most 4 KiB)")
            }
            bytes = Array(data)
            data.resetBytes(in: 0..<data.count)
        } else if let value = environment[variable] {
            bytes = Array(value.utf8)
        } else {
            throw .conflict("\(setting) (or $\(variable)) is needed")
        }
        defer { SecretBytes.wipe(&bytes) }
        let line = bytes.prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        guard !line.isEmpty else { throw .keyMaterial("\(setting): the secret is empty") }
        return SecretBytes(line)
    }
}
