/// The compact byte form of a ``SecurityEvent`` that ``StoreEventSink`` keeps in the state store.
///
/// Binary rather than JSON because the core avoids Foundation and an activity list holds hundreds of events per
/// account; every field is length-prefixed, so decoding bounds every read. Layout (version 1, integers
/// big-endian):
///
///     version(1) · kindLength(1) kind(UTF-8) · millisecondsSinceEpoch(8) · presence(1)
///     [account] [source] [device]: length(2) UTF-8 each, when present
///     [failures(4)] [retryAfterMilliseconds(8)] [storeFailure: length(2) UTF-8]
///
/// The kind is written by name, so adding kinds never renumbers old events; an unknown kind or version decodes
/// to `nil` and is skipped by readers.
enum SecurityEventEncoding {
    static let version: UInt8 = 1

    private enum Presence {
        static let account: UInt8 = 1 << 0
        static let source: UInt8 = 1 << 1
        static let device: UInt8 = 1 << 2
        static let failures: UInt8 = 1 << 3
        static let retryAfter: UInt8 = 1 << 4
        static let storeFailure: UInt8 = 1 << 5
    }

    static func encode(_ event: SecurityEvent) -> [UInt8] {
        var bytes: [UInt8] = [version]
        let kind = Array(event.kind.rawValue.utf8)
        bytes.append(UInt8(truncatingIfNeeded: kind.count))
        bytes += kind
        append(UInt64(bitPattern: event.millisecondsSinceEpoch), width: 8, to: &bytes)
        var presence: UInt8 = 0
        if event.account != nil { presence |= Presence.account }
        if event.source != nil { presence |= Presence.source }
        if event.device != nil { presence |= Presence.device }
        if event.failures != nil { presence |= Presence.failures }
        if event.retryAfter != nil { presence |= Presence.retryAfter }
        if event.storeFailure != nil { presence |= Presence.storeFailure }
        bytes.append(presence)
        // SecurityEvent bounds each text field to 256 bytes, so a 2-byte length always fits.
        for text in [event.account, event.source, event.device].compactMap({ $0 }) { appendText(text, to: &bytes) }
        if let failures = event.failures { append(UInt64(min(failures, Int(UInt32.max))), width: 4, to: &bytes) }
        if let retryAfter = event.retryAfter {
            append(UInt64(bitPattern: milliseconds(retryAfter)), width: 8, to: &bytes)
        }
        if let storeFailure = event.storeFailure { appendText(storeFailure, to: &bytes) }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> SecurityEvent? {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version, let kindLength = reader.byte(), let kindBytes = reader.bytes(Int(kindLength)),
            let kind = SecurityEvent.Kind(rawValue: String(decoding: kindBytes, as: UTF8.self)),
            let time = reader.integer(width: 8), let presence = reader.byte()
        else { return nil }
        func text(_ flag: UInt8) -> String?? {
            guard presence & flag != 0 else { return .some(nil) }
            guard let length = reader.integer(width: 2), let raw = reader.bytes(Int(length)) else { return nil }
            return .some(String(decoding: raw, as: UTF8.self))
        }
        guard let account = text(Presence.account), let source = text(Presence.source),
            let device = text(Presence.device)
        else { return nil }
        var failures: Int?
        if presence & Presence.failures != 0 {
            guard let value = reader.integer(width: 4) else { return nil }
            failures = Int(value)
        }
        var retryAfter: Duration?
        if presence & Presence.retryAfter != 0 {
            guard let value = reader.integer(width: 8) else { return nil }
            retryAfter = .milliseconds(Int64(bitPattern: value))
        }
        guard let storeFailure = text(Presence.storeFailure), reader.isAtEnd else { return nil }
        return SecurityEvent(
            kind: kind, millisecondsSinceEpoch: Int64(bitPattern: time), account: account, source: source,
            device: device, failures: failures, retryAfter: retryAfter, storeFailureText: storeFailure
        )
    }

    /// Whole milliseconds of a non-negative `duration`, saturating at `Int64.max`: the same range the decoder reads
    /// with `.milliseconds(Int64)`, so a decoded event re-encodes to the bytes it came from. (Going through
    /// nanoseconds would saturate after about 292 years and write a different number than was read.)
    private static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        let (total, carry) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return overflow || carry ? .max : total
    }

    private static func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        for shift in stride(from: (width - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
        }
    }

    private static func appendText(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = Array(text.utf8.prefix(Int(UInt16.max)))
        append(UInt64(utf8.count), width: 2, to: &bytes)
        bytes += utf8
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() -> UInt8? {
            bytes(1)?.first
        }

        mutating func bytes(_ count: Int) -> ArraySlice<UInt8>? {
            guard count >= 0, bytes.count - offset >= count else { return nil }
            defer { offset += count }
            return bytes[offset..<offset + count]
        }

        mutating func integer(width: Int) -> UInt64? {
            guard let raw = bytes(width) else { return nil }
            return raw.reduce(0) { $0 << 8 | UInt64($1) }
        }
    }
}
