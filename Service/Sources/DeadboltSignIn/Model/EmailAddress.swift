import Foundation

/// An email address as the sign-in system keeps it: trimmed, NFC-normalized, the domain lower-cased, at most 254
/// bytes (RFC 5321 §4.5.3.1.3's path limit less its angle brackets).
///
/// The local part is kept as typed, for delivery (RFC 5321 §2.4 lets a mail server treat it case-sensitively), but
/// two addresses that differ only in the case of their local part are the same account: ``comparisonKey`` lower-cases
/// it. Almost every mail provider ignores that case, and treating `Alice@x` and `alice@x` as two accounts would let a
/// second account be opened on someone's mailbox. login.gov lower-cases whole addresses for the same reason.
///
/// Internationalized domain names are taken as typed (NFC, lower-cased); converting them to IDNA A-labels is out of
/// scope, so `bücher.example` and `xn--bcher-kva.example` are different addresses here.
public struct EmailAddress: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The address as stored and written to: the local part as typed, the domain lower-cased.
    public let address: String
    /// The form two addresses are compared in: the whole address lower-cased. Unique across accounts; the key of
    /// an email's lockout and rate limits whether or not an account has it.
    public let comparisonKey: String

    /// The longest address accepted, in UTF-8 bytes (RFC 5321 §4.5.3.1.3).
    public static let maximumLength = 254
    /// The longest local part accepted, in UTF-8 bytes (RFC 5321 §4.5.3.1.1).
    public static let maximumLocalPartLength = 64

    /// Normalizes `text`.
    /// - Throws: ``SignInError/invalidEmail(_:)`` naming what is wrong: empty, too long, not exactly one `@`, an
    ///   empty or too long local part, a domain without a dot or with an empty label, or a space or control character.
    public init(_ text: String) throws {
        // Bound before any normalization work: a 1 MB "address" is an attack.
        guard text.utf8.count <= 4 * Self.maximumLength else { throw SignInError.invalidEmail("it is too long") }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
        guard !trimmed.isEmpty else { throw SignInError.invalidEmail("it is empty") }
        guard trimmed.utf8.count <= Self.maximumLength else {
            throw SignInError.invalidEmail("it is longer than \(Self.maximumLength) bytes")
        }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
        else { throw SignInError.invalidEmail("it contains a space or a control character") }
        let parts = trimmed.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { throw SignInError.invalidEmail("it must contain exactly one @") }
        let local = String(parts[0])
        let domain = String(parts[1]).lowercased()
        guard !local.isEmpty, local.utf8.count <= Self.maximumLocalPartLength else {
            throw SignInError.invalidEmail("the part before @ must be 1 to \(Self.maximumLocalPartLength) bytes")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else {
            throw SignInError.invalidEmail("the part after @ must be a domain name such as example.com")
        }
        address = local + "@" + domain
        comparisonKey = address.lowercased()
    }

    /// Rebuilds an address read back from storage, already normalized.
    init(stored address: String) {
        self.address = address
        comparisonKey = address.lowercased()
    }

    /// The domain, lower-cased.
    public var domain: String { String(address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...]) }

    /// The address masked for display to someone who has not signed in: the first character of the local part, then
    /// `•••`, then the domain (`j•••@example.com`).
    public var masked: String {
        let local = address.prefix { $0 != "@" }
        return String(local.prefix(1)) + "•••@" + domain
    }

    public var description: String { address }
}
