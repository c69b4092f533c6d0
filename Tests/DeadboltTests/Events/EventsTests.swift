import Logging
import Synchronization
import Testing
@testable import Deadbolt

/// Captures log records, for asserting on what a sink wrote.
private final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func logger() -> Logger {
        Logger(label: "test") { _ in CapturingHandler(logs: self) }
    }
}

private struct CapturingHandler: LogHandler {
    let logs: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        logs.records.withLock {
            $0.append(.init(level: event.level, message: event.message.description, metadata: event.metadata ?? [:]))
        }
    }
}

@Suite struct EventsTests {
    let full = SecurityEvent(
        kind: .locked, millisecondsSinceEpoch: 1_735_689_600_123, account: "alice", source: "2001:db8::1",
        device: "phone-7", failures: 5, retryAfter: .seconds(60), storeFailure: .unavailable(reason: "connection reset")
    )

    @Test func encodingRoundTripsEveryKindAndField() {
        #expect(SecurityEventEncoding.decode(SecurityEventEncoding.encode(full)) == full)
        for kind in SecurityEvent.Kind.allCases {
            let bare = SecurityEvent(kind: kind, millisecondsSinceEpoch: -5)
            #expect(SecurityEventEncoding.decode(SecurityEventEncoding.encode(bare)) == bare)
        }
        let unicode = SecurityEvent(kind: .codeIssued, millisecondsSinceEpoch: 0, account: "zoë@example.org")
        #expect(SecurityEventEncoding.decode(SecurityEventEncoding.encode(unicode)) == unicode)
    }

    @Test func encodingIsCompactAndWithinTheStoreBound() {
        let longest = SecurityEvent(
            kind: .storeUnavailable, millisecondsSinceEpoch: .max, account: String(repeating: "a", count: 999),
            source: String(repeating: "b", count: 999), device: String(repeating: "c", count: 999), failures: .max,
            retryAfter: .seconds(Int64.max), storeFailure: .unavailable(reason: String(repeating: "d", count: 999))
        )
        #expect(SecurityEventEncoding.encode(longest).count <= StateStoreBounds.maximumEventLength)
        #expect(SecurityEventEncoding.encode(SecurityEvent(kind: .locked, millisecondsSinceEpoch: 0)).count < 24)
    }

    @Test func malformedBytesDecodeToNothing() {
        let bytes = SecurityEventEncoding.encode(full)
        for length in 0..<bytes.count { #expect(SecurityEventEncoding.decode(Array(bytes.prefix(length))) == nil) }
        #expect(SecurityEventEncoding.decode(bytes + [0]) == nil)
        var future = bytes
        future[0] = 2
        #expect(SecurityEventEncoding.decode(future) == nil)
        var unknownKind = SecurityEventEncoding.encode(SecurityEvent(kind: .locked, millisecondsSinceEpoch: 0))
        unknownKind[2] = UInt8(ascii: "X")
        #expect(SecurityEventEncoding.decode(unknownKind) == nil)
    }

    @Test func identifiersAreBoundedAtACharacterBoundary() {
        let event = SecurityEvent(
            kind: .attemptFailed, millisecondsSinceEpoch: 0, account: String(repeating: "é", count: 200),
            failures: -1, retryAfter: .seconds(-1)
        )
        #expect(event.account?.utf8.count == 256)
        #expect(event.account == String(repeating: "é", count: 128))
        #expect(event.failures == nil)
        #expect(event.retryAfter == nil)
    }

    @Test func theStoreSinkKeepsRecentEventsPerAccount() async throws {
        let (store, _) = try makeStore()
        let sink = try StoreEventSink(store: store, keepLast: 3)
        for index in 0..<5 {
            await sink.record(SecurityEvent(kind: .attemptFailed, millisecondsSinceEpoch: Int64(index), account: "alice"))
        }
        await sink.record(SecurityEvent(kind: .codeIssued, millisecondsSinceEpoch: 9, account: "bob"))
        await sink.record(SecurityEvent(kind: .storeUnavailable, millisecondsSinceEpoch: 10))
        let alice = try await sink.recentEvents(account: "alice")
        #expect(alice.map(\.millisecondsSinceEpoch) == [4, 3, 2])
        #expect(try await sink.recentEvents(account: "alice", limit: 1).map(\.millisecondsSinceEpoch) == [4])
        #expect(try await sink.recentEvents(account: "bob").map(\.kind) == [.codeIssued])
        #expect(store.count == 2)
    }

    @Test func theStoreSinkExpiresLists() async throws {
        let (store, clock) = try makeStore()
        let sink = try StoreEventSink(store: store, retention: .seconds(60))
        await sink.record(SecurityEvent(kind: .locked, millisecondsSinceEpoch: 0, account: "alice"))
        clock.advance(by: .seconds(60))
        #expect(try await sink.recentEvents(account: "alice").isEmpty)
    }

    @Test func theStoreSinkSwallowsAndLogsStoreFailures() async throws {
        let (inner, _) = try makeStore()
        let logs = CapturedLogs()
        let sink = try StoreEventSink(store: FaultInjectingStateStore(inner), logger: logs.logger())
        await sink.record(SecurityEvent(kind: .locked, millisecondsSinceEpoch: 0, account: "alice"))
        #expect(logs.all.map(\.level) == [.warning])
        #expect(logs.all.first?.metadata["event.kind"] == .string("locked"))
        await #expect(throws: StateStoreError.timeout) { try await sink.recentEvents(account: "alice") }
    }

    @Test func theStoreSinkRefusesBadSettings() throws {
        let (store, _) = try makeStore()
        #expect(throws: StateStoreError.self) { try StoreEventSink(store: store, keepLast: 0) }
        #expect(throws: StateStoreError.self) { try StoreEventSink(store: store, retention: .zero) }
    }

    @Test func theLoggingSinkWritesStructuredMetadataAtTheKindsLevel() async {
        let logs = CapturedLogs()
        let sink = LoggingEventSink(logger: logs.logger())
        await sink.record(full)
        await sink.record(SecurityEvent(kind: .attemptSucceeded, millisecondsSinceEpoch: 1, account: "bob"))
        await sink.record(SecurityEvent(kind: .storeUnavailable, millisecondsSinceEpoch: 2, storeFailure: .timeout))
        let records = logs.all
        #expect(records.map(\.level) == [.warning, .info, .error])
        let metadata = records[0].metadata
        #expect(metadata["event.kind"] == .string("locked"))
        #expect(metadata["event.account"] == .string("alice"))
        #expect(metadata["event.source"] == .string("2001:db8::1"))
        #expect(metadata["event.device"] == .string("phone-7"))
        #expect(metadata["event.failures"]?.description == "5")
        #expect(metadata["event.retry_after_ms"]?.description == "60000")
        #expect(metadata["event.time_ms"]?.description == "1735689600123")
        #expect(records[1].metadata["event.source"] == nil)
        #expect(records[2].metadata["event.store_failure"] == .string("the state store did not answer in time"))
    }

    @Test func fanOutReachesEverySinkInOrder() async {
        let first = RecordingEventSink()
        let second = RecordingEventSink()
        let sink = FanOutEventSink([first, second, DiscardingEventSink()])
        await sink.record(full)
        await sink.record(SecurityEvent(kind: .unlocked, millisecondsSinceEpoch: 0))
        #expect(first.kinds() == [.locked, .unlocked])
        #expect(second.events == first.events)
    }

    @Test func aLockoutPolicyFeedsAnActivityPage() async throws {
        let clock = ManualClock()
        let store = InMemoryStateStore(clock: clock)
        let activity = try StoreEventSink(store: store)
        let policy = try LockoutPolicy(store: store, events: activity, wallClock: clock)
        guard case .admitted(let ticket) = try await policy.reserve(account: "alice", source: "192.0.2.1", device: "d1")
        else {
            Issue.record("expected admission")
            return
        }
        await policy.failed(ticket)
        let events = try await activity.recentEvents(account: "alice")
        #expect(events.map(\.kind) == [.attemptFailed])
        #expect(events.first?.device == "d1")
        #expect(events.first?.failures == 1)
    }
}
