/// A rate limit on anything named by a string (a source address, an API client, "send SMS to this number"):
/// a burst, then a steady rate, by the generic cell rate algorithm in the ``StateStore``
/// (``StateStore/acquireToken(_:limit:)``), so replicas sharing a store share the limit.
///
/// Keys live at `deadbolt:{key}:rate:purpose`; the key string is escaped (``StateKey/init(namespace:identifier:name:)``),
/// so any string up to 256 bytes works.
public struct RateLimiter: Sendable {
    /// The answer to ``acquire(_:)``.
    public enum Decision: Sendable, Equatable {
        /// Allowed; `remaining` more would be allowed right now (0 when failing open).
        case allowed(remaining: Int)
        /// Denied; a request after `retryAfter` would be allowed.
        case denied(retryAfter: Duration)
        /// The store could not answer and the limiter fails closed: deny, and tell the caller to try later.
        case unavailable
    }

    /// The namespace of rate-limit keys.
    public static let namespace = "rate"

    /// The rate enforced.
    public let limit: RateLimit
    /// What a store failure does.
    public let whenStoreFails: StoreFailureMode
    private let purpose: String
    private let store: any StateStore
    /// `store` when it is the in-memory store, whose synchronous entry the limiter calls directly (see ``acquire(_:)``).
    private let inMemoryStore: InMemoryStateStore?
    /// With `inMemoryStore`, the hash of this limiter's keys with their fixed namespace and purpose absorbed.
    private let hashPrefix: StoreHashPrefix?
    /// `limit`, checked and converted to nanoseconds once.
    private let gcra: GCRA
    private let events: any SecurityEventSink
    private let wallClock: any WallClock

    /// A limiter allowing `limit` per key, kept apart from other limiters in `store` by `purpose` (1 to 32
    /// letters, digits, `-`, `_`, `.`). Store failures deny unless `whenStoreFails` is ``StoreFailureMode/failOpen``;
    /// each is reported to `events` as ``SecurityEvent/Kind/storeUnavailable``, stamped by `wallClock`.
    ///
    /// - Throws: ``StateStoreError/invalidArgument(_:)`` when `limit` or `purpose` is out of range.
    public init(
        store: any StateStore, limit: RateLimit, purpose: String = "default",
        whenStoreFails: StoreFailureMode = .failClosed, events: any SecurityEventSink = DiscardingEventSink(),
        wallClock: any WallClock = SystemClock()
    ) throws {
        try limit.validate()
        try LimitPurpose.check(purpose)
        self.store = store
        inMemoryStore = store as? InMemoryStateStore
        hashPrefix = inMemoryStore?.hashPrefix(namespace: Self.namespace, name: purpose)
        gcra = GCRA(limit)
        self.limit = limit
        self.purpose = purpose
        self.whenStoreFails = whenStoreFails
        self.events = events
        self.wallClock = wallClock
    }

    /// Takes one request's token for `key`.
    ///
    /// - Throws: ``StateStoreError/invalidKey(_:)`` when `key` is empty or longer than 256 bytes once escaped.
    ///   Store failures do not throw: they answer ``Decision/unavailable`` or, failing open, ``Decision/allowed(remaining:)``.
    public func acquire(_ key: String) async throws -> Decision {
        // The namespace is a constant and the purpose was checked in init: only `key` needs checking.
        let stateKey = try StateKey(checkedNamespace: Self.namespace, identifier: key, checkedName: purpose)
        do {
            // With the in-memory store, its synchronous entry: no existential `async` call, and no re-checking and
            // converting of this limiter's fixed limit on every decision. The answer and the errors are the same.
            let decision =
                if let inMemoryStore {
                    try inMemoryStore.acquireToken(stateKey, gcra: gcra, prefix: hashPrefix)
                } else {
                    try await store.acquireToken(stateKey, limit: limit)
                }
            switch decision {
            case .allowed(let remaining): return .allowed(remaining: remaining)
            case .denied(let retryAfter): return .denied(retryAfter: retryAfter)
            }
        } catch {
            await events.record(
                SecurityEvent(
                    kind: .storeUnavailable, millisecondsSinceEpoch: wallClock.millisecondsSinceEpoch(),
                    storeFailure: error as? StateStoreError ?? .unavailable(reason: "unexpected store error")
                )
            )
            return whenStoreFails == .failOpen ? .allowed(remaining: 0) : .unavailable
        }
    }

    /// Gives back the token one earlier ``acquire(_:)`` took for `key` (the request turned out not to count,
    /// such as a successful check under a failures-only limit).
    ///
    /// - Throws: ``StateStoreError`` when `key` is invalid or the store cannot answer.
    public func refund(_ key: String) async throws {
        let stateKey = try StateKey(namespace: Self.namespace, identifier: key, name: purpose)
        try await store.refundToken(stateKey, limit: limit)
    }
}
