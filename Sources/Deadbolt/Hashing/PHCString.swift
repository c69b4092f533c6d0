/// A string in the PHC string format (P-H-C/phc-string-format):
/// `$<id>[$v=<version>][$<param>=<value>(,<param>=<value>)*][$<salt>[$<hash>]]`.
///
/// This type knows only the generic grammar, strictly: an id of `[a-z0-9-]`, parameter names of `[a-z0-9-]`,
/// values of `[a-zA-Z0-9/+.-]`, salt and hash in unpadded standard base64 with canonical trailing bits, decimal
/// numbers without leading zeros. What each algorithm allows on top (which parameters, in what order, what ranges)
/// is checked where the algorithm is parsed.
public struct PHCString: Sendable, Equatable, CustomStringConvertible {
    /// One `name=value` parameter.
    public struct Parameter: Sendable, Equatable {
        /// The parameter's name.
        public var name: String
        /// The parameter's value as written.
        public var value: String

        /// A parameter.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The algorithm identifier, e.g. `argon2id` or `pbkdf2-sha256`.
    public var id: String
    /// The `v=` version, if present.
    public var version: UInt32?
    /// The parameters in the order written.
    public var parameters: [Parameter]
    /// The decoded salt, if present.
    public var salt: [UInt8]?
    /// The decoded hash output, if present.
    public var hash: [UInt8]?

    /// The longest PHC string parsed (1 KiB); a longer stored "hash" is refused before it is read.
    public static let maximumLength = 1024

    /// A PHC string from its parts.
    public init(id: String, version: UInt32? = nil, parameters: [Parameter], salt: [UInt8]?, hash: [UInt8]?) {
        self.id = id
        self.version = version
        self.parameters = parameters
        self.salt = salt
        self.hash = hash
    }

    /// Parses `text` strictly.
    /// - Throws: ``HashingError/malformedHash(reason:)`` naming what is wrong.
    public init(parsing text: String) throws {
        guard text.utf8.count <= Self.maximumLength else { throw Self.malformed("longer than \(Self.maximumLength) bytes") }
        guard text.utf8.first == UInt8(ascii: "$") else { throw Self.malformed("does not start with '$'") }
        var fields = text.utf8.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false).dropFirst()
            .map { String(decoding: $0, as: UTF8.self) }
        guard let id = fields.first, !id.isEmpty else { throw Self.malformed("empty algorithm identifier") }
        guard id.utf8.count <= 32, id.utf8.allSatisfy(\.isPHCNameCharacter) else {
            throw Self.malformed("algorithm identifier must be 1 to 32 of [a-z0-9-]")
        }
        fields.removeFirst()
        self.id = id
        version = nil
        if let first = fields.first, first.hasPrefix("v=") {
            version = try Self.decimal(first.dropFirst(2), name: "v")
            fields.removeFirst()
        }
        parameters = []
        // The parameter field is optional; it is present when the next field holds a '='.
        if let first = fields.first, first.contains("=") {
            for pair in first.split(separator: ",", omittingEmptySubsequences: false) {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2, !parts[0].isEmpty else { throw Self.malformed("parameter '\(pair)' is not name=value") }
                let name = String(parts[0])
                let value = String(parts[1])
                guard name.utf8.count <= 32, name.utf8.allSatisfy(\.isPHCNameCharacter) else {
                    throw Self.malformed("parameter name '\(name)' must be 1 to 32 of [a-z0-9-]")
                }
                guard !value.isEmpty, value.utf8.allSatisfy(\.isPHCValueCharacter) else {
                    throw Self.malformed("parameter '\(name)' has an empty value or a character outside [a-zA-Z0-9/+.-]")
                }
                guard !parameters.contains(where: { $0.name == name }) else {
                    throw Self.malformed("parameter '\(name)' appears twice")
                }
                parameters.append(Parameter(name: name, value: value))
            }
            fields.removeFirst()
        }
        salt = nil
        hash = nil
        if let encodedSalt = fields.first {
            guard let decoded = Base64Dialect.phc.decode(encodedSalt), !decoded.isEmpty else {
                throw Self.malformed("salt is not canonical unpadded base64")
            }
            salt = decoded
            fields.removeFirst()
        }
        if let encodedHash = fields.first {
            guard let decoded = Base64Dialect.phc.decode(encodedHash), !decoded.isEmpty else {
                throw Self.malformed("hash is not canonical unpadded base64")
            }
            hash = decoded
            fields.removeFirst()
        }
        guard fields.isEmpty else { throw Self.malformed("unexpected field after the hash") }
    }

    /// The value of the parameter `name`, if present.
    public func parameter(_ name: String) -> String? {
        parameters.first { $0.name == name }?.value
    }

    /// The canonical text: the same grammar, unpadded standard base64.
    public var description: String {
        var text = "$" + id
        if let version { text += "$v=\(version)" }
        if !parameters.isEmpty { text += "$" + parameters.map { "\($0.name)=\($0.value)" }.joined(separator: ",") }
        if let salt { text += "$" + Base64Dialect.phc.encode(salt) }
        if let hash { text += "$" + Base64Dialect.phc.encode(hash) }
        return text
    }

    /// A decimal number as the PHC format writes one: digits only, no sign, no leading zero, fits in 32 bits.
    static func decimal(_ text: Substring, name: String) throws -> UInt32 {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw malformed("'\(name)' must be a decimal number")
        }
        guard text == "0" || text.first != "0" else { throw malformed("'\(name)' has a leading zero") }
        guard let value = UInt32(text) else { throw malformed("'\(name)' is larger than 4294967295") }
        return value
    }

    static func malformed(_ reason: String) -> HashingError { .malformedHash(reason: reason) }
}

extension UInt8 {
    fileprivate var isPHCNameCharacter: Bool {
        (self >= UInt8(ascii: "a") && self <= UInt8(ascii: "z")) || (self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9"))
            || self == UInt8(ascii: "-")
    }

    fileprivate var isPHCValueCharacter: Bool {
        isPHCNameCharacter || (self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z")) || self == UInt8(ascii: "/")
            || self == UInt8(ascii: "+") || self == UInt8(ascii: ".")
    }
}
