import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Reads request bodies within the configured bounds: at most `maximumBytes`, arriving within `timeout`, so a huge
/// or trickling body costs the server neither memory nor a task for long.
struct RequestBodyReader: Sendable {
    /// The largest body read.
    let maximumBytes: Int
    /// How long the body may take to arrive.
    let timeout: Duration

    /// The whole body.
    ///
    /// - Throws: ``Problem`` `.payloadTooLarge` or `.requestTimeout`.
    func collect(_ request: Request) async throws -> ByteBuffer {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maximumBytes {
            throw Problem(.payloadTooLarge, "The request body is larger than \(maximumBytes) bytes.")
        }
        let limit = maximumBytes
        let timeout = timeout
        return try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                do {
                    return try await request.body.collect(upTo: limit)
                } catch is NIOTooManyBytesError {
                    throw Problem(.payloadTooLarge, "The request body is larger than \(limit) bytes.")
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let body = first else {
                throw Problem(.requestTimeout, "The request body did not arrive in time.")
            }
            return body
        }
    }

    /// The body as an HTML form (`application/x-www-form-urlencoded`).
    ///
    /// - Throws: ``Problem`` `.unsupportedMediaType`, `.badRequest`, `.payloadTooLarge` or `.requestTimeout`.
    func form(_ request: Request) async throws -> FormFields {
        let type = request.headers[.contentType]?.lowercased() ?? ""
        guard type.hasPrefix("application/x-www-form-urlencoded") else {
            throw Problem(.unsupportedMediaType, "Send the form as application/x-www-form-urlencoded.")
        }
        let body = try await collect(request)
        return try FormFields(parsing: body.readableBytesView)
    }

    /// The body as JSON decoded into `T`.
    ///
    /// - Throws: ``Problem`` `.unsupportedMediaType`, `.badRequest`, `.payloadTooLarge` or `.requestTimeout`.
    func json<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw Problem(.unsupportedMediaType, "Send the body as application/json.")
        }
        let body = try await collect(request)
        do {
            return try JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw Problem(.invalidField, "The field '\(key.stringValue)' is missing.", field: key.stringValue)
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.last?.stringValue
            throw Problem(.invalidField, "The field '\(field ?? "?")' has the wrong type.", field: field)
        } catch {
            throw Problem(.badRequest, "The body is not the JSON this endpoint takes.")
        }
    }
}

/// The fields of a URL-encoded form (WHATWG URL §5.1), bounded: at most 32 fields, each name at most 64 bytes and
/// each value at most ``maximumValueBytes`` once decoded. A repeated name keeps its first value.
struct FormFields: Sendable {
    /// The longest value accepted (a password may be 1024 bytes, the engine's bound; nothing else comes close).
    static let maximumValueBytes = 1_024
    static let maximumFields = 32
    static let maximumNameBytes = 64

    private var values: [String: String] = [:]

    /// Parses `bytes`.
    ///
    /// - Throws: ``Problem`` `.badRequest` or `.invalidField` naming the field that is too long.
    init(parsing bytes: some Collection<UInt8>) throws {
        var count = 0
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            count += 1
            guard count <= Self.maximumFields else { throw Problem(.badRequest, "The form has too many fields.") }
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = Self.decode(parts[0]), !name.isEmpty, name.utf8.count <= Self.maximumNameBytes else {
                throw Problem(.badRequest, "The form has a field name that cannot be read.")
            }
            guard let value = Self.decode(parts.count > 1 ? Array(parts[1]) : []) else {
                throw Problem(.invalidField, "The field '\(name)' cannot be read.", field: name)
            }
            guard value.utf8.count <= Self.maximumValueBytes else {
                throw Problem(.invalidField, "This is too long.", field: name)
            }
            if values[name] == nil { values[name] = value }
        }
    }

    /// The value of `name`, or `nil`.
    subscript(_ name: String) -> String? { values[name] }

    /// The value of `name` with surrounding whitespace removed, or `nil` when absent or blank.
    func trimmed(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else {
            return nil
        }
        return value
    }

    /// Whether a checkbox named `name` was ticked.
    func isChecked(_ name: String) -> Bool { values[name] != nil }

    /// Percent-decoding with `+` as space; `nil` for invalid escapes or invalid UTF-8.
    private static func decode(_ bytes: some Collection<UInt8>) -> String? {
        guard bytes.count <= maximumValueBytes * 3 else { return String(repeating: "x", count: maximumValueBytes + 1) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var iterator = bytes.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): output.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    return nil
                }
                output.append(high << 4 | low)
            default: output.append(byte)
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
