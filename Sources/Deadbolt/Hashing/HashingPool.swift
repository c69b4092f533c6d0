import CDeadbolt
import Dispatch

/// Where slow hashes run: off the caller's executor (never on the Swift cooperative pool or an event loop), on a
/// dedicated dispatch queue, with at most ``workerCount`` at once and at most ``memoryBudgetBytes`` of Argon2
/// memory in flight.
///
/// A request waits, first come first served, until both a worker and its memory are free. If that takes longer
/// than ``admissionTimeout``, it fails with ``HashingError/overloaded`` instead of queueing without bound; a request
/// that alone needs more than the whole budget fails at once with ``HashingError/exceedsMemoryBudget(requiredBytes:budgetBytes:)``.
/// So a flood of hash requests costs latency and refusals, never the process's memory.
///
/// Each admitted hash borrows an *arena*: Argon2 memory the pool mapped and faulted in once and keeps between hashes,
/// so a hash never pays for page faults (or the kernel's zeroing of fresh pages) again. The arenas together never
/// hold more than ``memoryBudgetBytes``; an arena is lent to one hash at a time and that hash wipes what it wrote
/// before giving it back. A hash that finds no idle arena large enough, and no room in the budget for a new one
/// (larger arenas are lent to smaller hashes), allocates its own memory as it would outside the pool. When no hash
/// has run for a while (10 seconds) the pool unmaps its idle arenas, and it unmaps all of them when it is
/// deinitialised.
public final class HashingPool: Sendable {
    /// How many hashes may run at once.
    public let workerCount: Int
    /// The most Argon2 memory, in bytes, that the hashes running at once may hold together.
    public let memoryBudgetBytes: Int
    /// How long a request may wait for admission before it fails with ``HashingError/overloaded``.
    public let admissionTimeout: Duration

    /// How long arenas stay mapped after the last hash, before the pool gives their memory back.
    let arenaRetention: Duration

    private let queue: DispatchQueue
    private let state: PthreadLocked<State>

    /// The pool most callers share: one worker per core, a 1 GiB memory budget, a 5-second admission timeout.
    public static let shared = HashingPool()

    /// A pool.
    /// - Parameters:
    ///   - workerCount: hashes that may run at once; defaults to the number of active cores.
    ///   - memoryBudgetBytes: Argon2 memory that may be in flight at once.
    ///   - admissionTimeout: how long a request may wait for a worker and memory.
    public convenience init(
        workerCount: Int = HashingPool.activeProcessorCount, memoryBudgetBytes: Int = 1 << 30,
        admissionTimeout: Duration = .seconds(5)
    ) {
        self.init(
            workerCount: workerCount, memoryBudgetBytes: memoryBudgetBytes, admissionTimeout: admissionTimeout,
            arenaRetention: .seconds(10))
    }

    /// A pool whose idle arenas are unmapped `arenaRetention` after the last hash. Ten seconds by default: long
    /// enough that a steady trickle of logins keeps its memory mapped, short enough that a burst's memory goes back
    /// to the system soon after.
    init(workerCount: Int, memoryBudgetBytes: Int, admissionTimeout: Duration, arenaRetention: Duration) {
        self.arenaRetention = arenaRetention
        self.workerCount = max(1, workerCount)
        self.memoryBudgetBytes = max(0, memoryBudgetBytes)
        self.admissionTimeout = admissionTimeout
        queue = DispatchQueue(label: "deadbolt.hashing", qos: .userInitiated, attributes: .concurrent)
        queue.setSpecific(key: Self.workerMarker, value: true)
        state = PthreadLocked(State(freeWorkers: max(1, workerCount), freeBytes: max(0, memoryBudgetBytes)))
    }

    /// Marks the pool's queue, so tests can tell that work runs there and nowhere else.
    static let workerMarker = DispatchSpecificKey<Bool>()

    /// Whether the calling code runs on a hashing pool's worker.
    static var isOnWorker: Bool { DispatchQueue.getSpecific(key: workerMarker) == true }

    /// The number of cores this process may use.
    public static var activeProcessorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// What the pool holds right now, for tests and metrics.
    public struct Usage: Sendable, Equatable {
        /// Requests running.
        public var running: Int
        /// Bytes of memory held by running requests.
        public var bytesInUse: Int
        /// Requests waiting for admission.
        public var waiting: Int
        /// The most bytes ever held at once since the pool was made.
        public var peakBytesInUse: Int
    }

    /// A snapshot of the pool's usage.
    public var usage: Usage {
        state.withLock { state in
            Usage(
                running: workerCount - state.freeWorkers, bytesInUse: memoryBudgetBytes - state.freeBytes,
                waiting: state.waiters.count, peakBytesInUse: state.peakBytesInUse)
        }
    }

    /// Runs `work` on a pool worker once a worker and `memoryBytes` of budget are free, and returns its result.
    /// - Throws: ``HashingError/overloaded`` after waiting ``admissionTimeout``,
    ///   ``HashingError/exceedsMemoryBudget(requiredBytes:budgetBytes:)`` when `memoryBytes` exceeds the budget,
    ///   `CancellationError` if the task is cancelled while waiting, or whatever `work` throws.
    public func run<Result: Sendable>(
        memoryBytes: Int, _ work: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        let bytes = max(0, memoryBytes)
        guard bytes <= memoryBudgetBytes else {
            throw HashingError.exceedsMemoryBudget(requiredBytes: bytes, budgetBytes: memoryBudgetBytes)
        }
        try await admit(bytes: bytes)
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                // Argon2 calls on this thread find the arena through the C shim's thread-local binding (libargon2's
                // allocation callbacks take no context); it is unbound before the thread serves anything else.
                let arena = self.lendArena(bytes: bytes)
                let previous = dbt_arena_bind(arena?.pointer)
                let result = Swift.Result { try work() }
                dbt_arena_bind(previous)
                self.release(bytes: bytes, arena: arena)
                continuation.resume(with: result)
            }
        }
    }

    // MARK: Admission

    private struct Waiter {
        let id: UInt64
        let bytes: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var freeWorkers: Int
        var freeBytes: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        var peakBytesInUse = 0
        /// Arenas no hash holds, ready to lend.
        var idleArenas: [Arena] = []
        /// Arenas lent or idle, and their bytes: never more than the budget.
        var arenaCount = 0
        var arenaBytes = 0
        var peakArenaBytes = 0
        var arenaReuses = 0
        /// Counts hashes started, so a scheduled release can tell that the pool was not idle all along.
        var arenaGeneration: UInt64 = 0

        init(freeWorkers: Int, freeBytes: Int) {
            self.freeWorkers = freeWorkers
            self.freeBytes = freeBytes
        }
    }

    private func admit(bytes: Int) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                guard !Task.isCancelled else {
                    continuation.resume(throwing: CancellationError())
                    return
                }
                let admittedAtOnce = state.withLock { state -> Bool in
                    // First come, first served: nobody overtakes a waiter, so a large hash is never starved.
                    if state.waiters.isEmpty, state.freeWorkers > 0, state.freeBytes >= bytes {
                        take(bytes: bytes, from: &state)
                        return true
                    }
                    state.waiters.append(Waiter(id: id, bytes: bytes, continuation: continuation))
                    return false
                }
                if admittedAtOnce {
                    continuation.resume()
                } else {
                    let timeout = admissionTimeout
                    Task { [weak self] in
                        try? await Task.sleep(for: timeout)
                        self?.abandon(id: id, with: HashingError.overloaded)
                    }
                }
            }
        } onCancel: {
            abandon(id: id, with: CancellationError())
        }
    }

    private func take(bytes: Int, from state: inout State) {
        state.freeWorkers -= 1
        state.freeBytes -= bytes
        state.peakBytesInUse = max(state.peakBytesInUse, memoryBudgetBytes - state.freeBytes)
    }

    /// Removes a waiter that timed out or was cancelled, if it is still waiting.
    private func abandon(id: UInt64, with error: any Error) {
        let (abandoned, admitted) = state.withLock { state -> (Waiter?, [Waiter]) in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return (nil, []) }
            let waiter = state.waiters.remove(at: index)
            // The head may have been blocking those behind it only by being first.
            return (waiter, admitWaiters(&state))
        }
        abandoned?.continuation.resume(throwing: error)
        for waiter in admitted { waiter.continuation.resume() }
    }

    private func release(bytes: Int, arena: Arena?) {
        let (admitted, idleGeneration) = state.withLock { state -> ([Waiter], UInt64?) in
            state.freeWorkers += 1
            state.freeBytes += bytes
            if let arena { state.idleArenas.append(arena) }
            let admitted = admitWaiters(&state)
            let idle = state.freeWorkers == workerCount && state.waiters.isEmpty && !state.idleArenas.isEmpty
            return (admitted, idle ? state.arenaGeneration : nil)
        }
        for waiter in admitted { waiter.continuation.resume() }
        if let idleGeneration { scheduleArenaRelease(generation: idleGeneration) }
    }

    /// Admits waiters from the head of the queue while the head fits.
    private func admitWaiters(_ state: inout State) -> [Waiter] {
        var admitted: [Waiter] = []
        while let head = state.waiters.first, state.freeWorkers > 0, state.freeBytes >= head.bytes {
            state.waiters.removeFirst()
            take(bytes: head.bytes, from: &state)
            admitted.append(head)
        }
        return admitted
    }
}

// MARK: Arenas

extension HashingPool {
    /// What the pool's arenas hold right now, for tests and metrics.
    struct ArenaUsage: Sendable, Equatable {
        /// Arenas mapped, lent or idle.
        var count: Int
        /// Bytes mapped by all arenas; never more than the budget.
        var bytes: Int
        /// Arenas waiting to be lent.
        var idle: Int
        /// The most bytes the arenas ever mapped at once.
        var peakBytes: Int
        /// Hashes that got an arena that was already mapped.
        var reuses: Int
    }

    /// A snapshot of the arenas.
    var arenaUsage: ArenaUsage {
        state.withLock { state in
            ArenaUsage(
                count: state.arenaCount, bytes: state.arenaBytes, idle: state.idleArenas.count,
                peakBytes: state.peakArenaBytes, reuses: state.arenaReuses)
        }
    }

    /// Hashes served by each idle arena so far, as the C shim counts them, for tests.
    var idleArenaUses: [UInt64] { state.withLock { state in state.idleArenas.map(\.uses) } }

    /// An arena for a hash of `bytes`: the smallest idle one that is large enough; else a new one, after unmapping
    /// idle arenas (all smaller) as needed to stay within the budget; else none, and the hash allocates its own
    /// memory as it would outside the pool. Mapping and faulting in run outside the lock.
    fileprivate func lendArena(bytes: Int) -> Arena? {
        guard bytes > 0 else { return nil }
        let size = Arena.roundedSize(bytes)
        let (lent, reserved, dropped) = state.withLock { state -> (Arena?, Bool, [Arena]) in
            state.arenaGeneration += 1
            let fitting = state.idleArenas.indices.filter { state.idleArenas[$0].capacity >= bytes }
            if let best = fitting.min(by: { state.idleArenas[$0].capacity < state.idleArenas[$1].capacity }) {
                state.arenaReuses += 1
                return (state.idleArenas.remove(at: best), false, [])
            }
            var dropped: [Arena] = []
            while state.arenaBytes + size > memoryBudgetBytes, let smaller = state.idleArenas.popLast() {
                state.arenaBytes -= smaller.capacity
                state.arenaCount -= 1
                dropped.append(smaller)
            }
            guard state.arenaBytes + size <= memoryBudgetBytes else { return (nil, false, dropped) }
            state.arenaBytes += size
            state.arenaCount += 1
            state.peakArenaBytes = max(state.peakArenaBytes, state.arenaBytes)
            return (nil, true, dropped)
        }
        // Arenas dropped to make room are unmapped when `dropped` goes, after the lock, as is the new one's faulting.
        _ = dropped
        if let lent { return lent }
        guard reserved else { return nil }
        if let made = Arena(bytes: size), made.capacity == size { return made }
        state.withLock { state in
            state.arenaBytes -= size
            state.arenaCount -= 1
        }
        return nil
    }

    /// Unmaps the idle arenas `arenaRetention` from now, unless a hash starts before then.
    fileprivate func scheduleArenaRelease(generation: UInt64) {
        let retention = arenaRetention.components
        let nanoseconds = retention.seconds * 1_000_000_000 + retention.attoseconds / 1_000_000_000
        queue.asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) { [weak self] in
            self?.releaseIdleArenas(ifStillIdleSince: generation)
        }
    }

    fileprivate func releaseIdleArenas(ifStillIdleSince generation: UInt64) {
        let released = state.withLock { state -> [Arena] in
            guard state.arenaGeneration == generation else { return [] }
            let released = state.idleArenas
            state.idleArenas.removeAll()
            state.arenaCount -= released.count
            state.arenaBytes -= released.reduce(0) { $0 + $1.capacity }
            return released
        }
        // Unmapped as `released` goes, outside the lock.
        _ = released
    }
}

/// Argon2 memory mapped once and lent to one hash at a time (dbt_arena in the C shim). Every hash wipes what it wrote
/// before it returns the memory: Deadbolt's own implementation wipes the blocks itself, and libargon2 wipes them
/// before calling its free callback (see argon2.c). Unmapped on deinit.
final class Arena: @unchecked Sendable {
    // @unchecked: the pointer is used by one thread at a time — the pool's lock guards idle arenas, and a lent arena
    // belongs to the one worker running its hash.
    let pointer: OpaquePointer
    let capacity: Int

    init?(bytes: Int) {
        guard bytes > 0, let pointer = dbt_arena_create(bytes) else { return nil }
        self.pointer = pointer
        capacity = Int(dbt_arena_capacity(pointer))
    }

    /// Hashes that have used this arena's memory.
    var uses: UInt64 { dbt_arena_uses(pointer) }

    /// `bytes` rounded up to whole pages, as dbt_arena_create rounds it.
    static func roundedSize(_ bytes: Int) -> Int {
        let page = max(1, Int(sysconf(Int32(_SC_PAGESIZE))))
        return (bytes + page - 1) / page * page
    }

    deinit { dbt_arena_destroy(pointer) }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
