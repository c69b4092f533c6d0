import Synchronization
@testable import Deadbolt

/// Keeps every event it is given, for assertions.
final class RecordingEventSink: SecurityEventSink {
    private let recorded = Mutex<[SecurityEvent]>([])

    var events: [SecurityEvent] { recorded.withLock { $0 } }

    func kinds() -> [SecurityEvent.Kind] { events.map(\.kind) }

    func record(_ event: SecurityEvent) async {
        recorded.withLock { $0.append(event) }
    }
}
