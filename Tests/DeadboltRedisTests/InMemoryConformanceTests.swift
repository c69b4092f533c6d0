import Deadbolt
import Testing

/// The same conformance suite against ``InMemoryStateStore`` on a manual clock: time passes exactly when a case
/// says so, so these runs never sleep.
@Suite("StateStore conformance in memory")
struct InMemoryConformanceTests {
    @Test("InMemoryStateStore", arguments: StateStoreConformance.cases)
    func inMemory(_ conformance: ConformanceCase) async throws {
        let clock = ManualClock()
        try await StateStoreConformance.run(
            conformance, tick: .milliseconds(200), makeStore: { InMemoryStateStore(clock: clock) },
            advance: { duration in clock.advance(by: duration) })
    }
}
