import Deadbolt
import Foundation

/// Which passwords a person may choose, after NIST SP 800-63B §5.1.1.2 ("Memorized Secret Verifiers"):
///
/// - at least 12 characters (the issue's "strong"; §5.1.1.2 asks at least 8) and at most 256, counting each Unicode
///   code point after NFKC as one character (§5.1.1.2: "each Unicode code point SHALL be counted as a single
///   character"); 256 is above §5.1.1.2's "at least 64" and the issue's "at least 128", and 256 code points of at
///   most 4 bytes stay within the engine's 1024-byte bound for password hashing;
/// - any characters, spaces included, NFKC-normalized before hashing (§5.1.1.2 recommends NFKC or NFKD);
/// - no composition rules (§5.1.1.2: "SHOULD NOT impose other composition rules");
/// - refused when on the list of common and breached passwords (``PasswordBlocklist``), repetitive or sequential,
///   or built from the email or the service's name (§5.1.1.2's "context-specific words").
///
/// ``evaluate(_:email:)`` returns every rule broken, never the password.
public struct PasswordPolicy: Sendable {
    /// The fewest characters accepted.
    public let minimumLength: Int
    /// The most characters accepted.
    public let maximumLength: Int
    /// The service's name, as a context-specific word (set by the ``SignInSystem`` from its configuration).
    public var serviceName: String
    /// The list of common and breached passwords.
    public let blocklist: PasswordBlocklist

    /// The longest input looked at, in UTF-8 bytes, before normalization: anything longer is refused as too long
    /// without being normalized (a 1 MB "password" is an attack).
    public static let maximumInputBytes = 4096

    /// NIST SP 800-63B §5.1.1.2 with the issue's 12-character minimum, a 256-character maximum, and the shipped
    /// blocklist (``PasswordBlocklist/shipped``).
    public static let nist = PasswordPolicy(minimumLength: 12, maximumLength: 256, serviceName: "Deadbolt", blocklist: .shipped)

    /// A policy.
    public init(minimumLength: Int, maximumLength: Int, serviceName: String, blocklist: PasswordBlocklist) {
        self.minimumLength = minimumLength
        self.maximumLength = maximumLength
        self.serviceName = serviceName
        self.blocklist = blocklist
    }

    /// The password as it is hashed: NFKC-normalized UTF-8.
    public static func normalized(_ password: String) -> SecretBytes {
        SecretBytes(utf8: password.precomposedStringWithCompatibilityMapping)
    }

    /// Every rule `password` breaks for an account with `email`; empty when allowed.
    public func evaluate(_ password: String, email: EmailAddress) -> [PasswordViolation] {
        guard password.utf8.count <= Self.maximumInputBytes else { return [.tooLong(maximum: maximumLength)] }
        let normalized = password.precomposedStringWithCompatibilityMapping
        let length = normalized.unicodeScalars.count
        var violations: [PasswordViolation] = []
        if length < minimumLength { violations.append(.tooShort(minimum: minimumLength)) }
        if length > maximumLength || normalized.utf8.count > PasswordHasher.SecretKind.password.maximumLength {
            violations.append(.tooLong(maximum: maximumLength))
        }
        guard violations.isEmpty else { return violations }
        let folded = normalized.lowercased()
        if blocklist.contains(folded) { violations.append(.common) }
        if Self.isRepetitiveOrSequential(Array(folded.unicodeScalars)) { violations.append(.repetitiveOrSequential) }
        if isBuilt(from: Self.emailWords(email), folded) { violations.append(.containsEmail) }
        if isBuilt(from: [serviceName.lowercased(), serviceName.lowercased().filter { !$0.isWhitespace }], folded) {
            violations.append(.containsServiceName)
        }
        return violations
    }

    /// Whether what is left of `password` once every occurrence of `words` is taken out is shorter than the
    /// minimum: `alice@example.com2024` and `AliceAliceAlice` are built from the address; `correct horse alice
    /// battery` is not.
    private func isBuilt(from words: [String], _ password: String) -> Bool {
        var rest = password
        var removedAny = false
        for word in words.sorted(by: { $0.count > $1.count }) where word.count >= 3 {
            if rest.contains(word) {
                rest = rest.replacingOccurrences(of: word, with: "")
                removedAny = true
            }
        }
        guard removedAny else { return false }
        return rest.unicodeScalars.filter { !CharacterSet.punctuationCharacters.contains($0) && $0 != " " }.count < minimumLength
    }

    /// The context-specific words of an address: the whole address, its local part and the pieces of it, and the
    /// domain's first label.
    private static func emailWords(_ email: EmailAddress) -> [String] {
        let key = email.comparisonKey
        let local = String(key.prefix { $0 != "@" })
        let pieces = local.split(whereSeparator: { ".-_+".contains($0) }).map(String.init)
        let firstLabel = email.domain.split(separator: ".").first.map(String.init) ?? ""
        return [key, local, firstLabel] + pieces
    }

    /// One character repeated, a block of up to four repeated (`abcabcabcabc`), or a run where each character is
    /// one after (or before) the last (`abcdefghijkl`, `345678901234`, digits wrapping from 9 to 0).
    static func isRepetitiveOrSequential(_ scalars: [Unicode.Scalar]) -> Bool {
        guard scalars.count > 1 else { return true }
        for period in 1...min(4, scalars.count / 2) {
            if scalars.indices.allSatisfy({ scalars[$0] == scalars[$0 % period] }) { return true }
        }
        func step(_ a: Unicode.Scalar, _ b: Unicode.Scalar) -> Int {
            if a.properties.numericType != nil, b.properties.numericType != nil, a.isASCII, b.isASCII {
                return (Int(b.value) - Int(a.value) + 10) % 10 == 1 ? 1 : (Int(a.value) - Int(b.value) + 10) % 10 == 1 ? -1 : 0
            }
            return Int(b.value) - Int(a.value)
        }
        let first = step(scalars[0], scalars[1])
        guard first == 1 || first == -1 else { return false }
        return zip(scalars, scalars.dropFirst()).allSatisfy { step($0, $1) == first }
    }
}
