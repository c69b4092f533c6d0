/// Stamps events with the wall clock and hands them to a sink: the one way the lockout policy, the one-time code
/// verifier and the code sender report what happened.
struct EventRecorder: Sendable {
    let sink: any SecurityEventSink
    let wallClock: any WallClock

    func record(
        _ kind: SecurityEvent.Kind, account: String?, source: String? = nil, device: String? = nil,
        failures: Int? = nil, retryAfter: Duration? = nil, storeFailure: StateStoreError? = nil
    ) async {
        await sink.record(
            SecurityEvent(
                kind: kind, millisecondsSinceEpoch: wallClock.millisecondsSinceEpoch(), account: account,
                source: source, device: device, failures: failures, retryAfter: retryAfter, storeFailure: storeFailure))
    }

    /// A store may throw something else (a cancelled task, a driver's own error): record it without its text.
    static func storeError(_ error: any Error) -> StateStoreError {
        error as? StateStoreError ?? .unavailable(reason: "unexpected store error")
    }
}
