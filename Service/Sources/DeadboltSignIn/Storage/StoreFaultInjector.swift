import Synchronization

/// A test hook every store takes: it makes the next change set fail after some of its changes were applied,
/// inside the transaction, as a lost connection or a full disk would. The conformance suite uses it to show that a
/// failure in the middle of a step leaves the stored state exactly as before.
///
/// Production code passes none. A store calls ``checkpoint(appliedChanges:)`` after each change it applies.
public final class StoreFaultInjector: Sendable {
    private let failAfter = Mutex<Int?>(nil)

    /// An injector that injects nothing until told.
    public init() {}

    /// Makes the next change set fail once `count` of its changes have been applied (0: before the first).
    public func failNextChangeSet(afterChanges count: Int) {
        failAfter.withLock { $0 = count }
    }

    /// Called by a store inside a change set's transaction, after `appliedChanges` changes.
    /// - Throws: ``SignInStoreError/unavailable(_:)`` ("injected fault") when the armed count is reached; the
    ///   injector is then disarmed.
    public func checkpoint(appliedChanges: Int) throws {
        let fire = failAfter.withLock { armed -> Bool in
            guard let count = armed, count == appliedChanges else { return false }
            armed = nil
            return true
        }
        if fire { throw SignInStoreError.unavailable("injected fault") }
    }
}
