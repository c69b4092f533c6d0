import Deadbolt

/// A JSON value as a vector file holds it. Decoding keeps every field, so unknown extra fields are simply ignored
/// by the test kinds that do not ask for them (as Wycheproof intends). Encoding writes the same value back (the
/// reader's fuzz target checks that a decoded file re-encodes to one that decodes equal).
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    /// A non-negative whole number, kept exact up to `UInt64.max` (counters reach 2^63 and beyond).
    case integer(UInt64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(UInt64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let fields): try container.encode(fields)
        }
    }
}

/// One JSON object of a vector file (a file, a group or a test), with typed field readers that throw
/// ``VectorError/badField(_:expected:)`` naming the field when it is missing or of the wrong kind.
public struct VectorObject: Sendable {
    /// The object's fields.
    public let fields: [String: JSONValue]

    /// Wraps the fields of a JSON object.
    public init(_ fields: [String: JSONValue]) {
        self.fields = fields
    }

    /// Whether the field is present and not `null`.
    public func has(_ name: String) -> Bool {
        if case .some(.null) = fields[name] { return false }
        return fields[name] != nil
    }

    /// A string field.
    public func string(_ name: String) throws -> String {
        guard case .string(let value)? = fields[name] else { throw VectorError.badField(name, expected: "a string") }
        return value
    }

    /// A string field that may be absent or `null`.
    public func optionalString(_ name: String) throws -> String? {
        has(name) ? try string(name) : nil
    }

    /// A hex string field, decoded.
    public func hex(_ name: String) throws -> [UInt8] {
        guard let bytes = Hex.decode(try string(name)) else { throw VectorError.badField(name, expected: "hex") }
        return bytes
    }

    /// A non-negative whole-number field, exact up to `UInt64.max`.
    public func integer(_ name: String) throws -> UInt64 {
        guard case .integer(let value)? = fields[name] else {
            throw VectorError.badField(name, expected: "a non-negative integer")
        }
        return value
    }

    /// A non-negative whole-number field that may be absent or `null`.
    public func optionalInteger(_ name: String) throws -> UInt64? {
        has(name) ? try integer(name) : nil
    }

    /// A whole-number field that fits an `Int`.
    public func int(_ name: String) throws -> Int {
        let value = try integer(name)
        guard value <= UInt64(Int.max) else { throw VectorError.badField(name, expected: "an integer that fits Int") }
        return Int(value)
    }

    /// A whole-number field that fits a `UInt32`.
    public func uint32(_ name: String) throws -> UInt32 {
        let value = try integer(name)
        guard value <= UInt64(UInt32.max) else { throw VectorError.badField(name, expected: "a 32-bit integer") }
        return UInt32(value)
    }

    /// An object field.
    public func object(_ name: String) throws -> VectorObject {
        guard case .object(let value)? = fields[name] else { throw VectorError.badField(name, expected: "an object") }
        return VectorObject(value)
    }

    /// An array-of-objects field.
    public func objects(_ name: String) throws -> [VectorObject] {
        guard case .array(let values)? = fields[name] else { throw VectorError.badField(name, expected: "an array") }
        return try values.map {
            guard case .object(let fields) = $0 else { throw VectorError.badField(name, expected: "an array of objects") }
            return VectorObject(fields)
        }
    }
}
