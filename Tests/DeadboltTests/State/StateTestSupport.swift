@testable import Deadbolt

/// A key in the `test` namespace (or `namespace`) for identifier `scope`.
func testKey(_ scope: String, namespace: String = "test", name: String = "") throws -> StateKey {
    try StateKey(namespace: namespace, identifier: scope, name: name)
}

/// An in-memory store on a manual clock.
func makeStore(maximumKeys: Int = 10_000, whenFull: InMemoryStateStore.WhenFull = .evictExpendable)
    throws -> (InMemoryStateStore, ManualClock)
{
    let clock = ManualClock()
    return (try InMemoryStateStore(maximumKeys: maximumKeys, whenFull: whenFull, clock: clock), clock)
}
