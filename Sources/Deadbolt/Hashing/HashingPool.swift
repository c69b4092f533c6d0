import CDeadbolt
import Dispatch

/// Where slow hashes run: off the caller's executor (never on the Swift cooperative pool or an event loop), on a
/// few threads of its own, with at most ``workerCount`` at once and at most ``memoryBudgetBytes`` of memory held.
///
/// A request waits, first come first served, until both a worker and its memory are free. If that takes longer
/// than ``admissionTimeout``, it fails with ``HashingError/overloaded`` instead of queueing without bound; a request
/// that alone needs more than the whole budget fails at once with ``HashingError/exceedsMemoryBudget(requiredBytes:budgetBytes:)``.
/// So a flood of hash requests costs latency and refusals, never the process's memory.
///
/// Each admitted hash runs in an *arena*: Argon2 memory the pool mapped and faulted in once and keeps between hashes,
/// so a hash never pays for page faults (or the kernel's zeroing of fresh pages) again. **The budget bounds all the
/// memory the pool holds**: the arenas of running hashes (a hash lent a larger idle arena is charged its whole size),
/// idle arenas, and arenas being unmapped to make room, together. A hash that finds no idle arena large enough gets
/// a new one if the budget has room, after unmapping idle arenas if that makes room; otherwise it waits. A hash on
/// the pool never allocates Argon2 memory of its own beyond what it was admitted for: one that needs more than it
/// declared fails instead (``HashingError/backendFailure(_:)``). Outside the budget the pool holds only a small fixed
/// overhead, whatever the budget: its worker threads' stacks and the allocator's per-thread heaps for the small
/// objects a hash makes (measured in the process's resident set: 0.2–0.3 MiB with four workers; the test allows
/// 4 MiB, see `HashingPoolMemoryTests`).
///
/// A hash leaves its blocks in its arena; the worker wipes them right after handing the result back to the caller,
/// before the arena is lent again, so the wipe costs the caller no latency and no password-derived block outlives
/// the hash by more than that wipe. When no hash has run for a while (10 seconds) the pool unmaps its idle arenas,
/// and it unmaps all of them when it is deinitialised.
public final class HashingPool: Sendable {
    /// How many hashes may run at once.
    public let workerCount: Int
    /// The most memory, in bytes, that the pool holds: the Argon2 memory of the hashes running at once and the idle
    /// arenas kept for the next ones, together.
    public let memoryBudgetBytes: Int
    /// How long a request may wait for admission before it fails with ``HashingError/overloaded``.
    public let admissionTimeout: Duration

    /// How long arenas stay mapped after the last hash, before the pool gives their memory back.
    let arenaRetention: Duration
    /// Runs during admission on the requesting task, just before the request takes the pool's lock to be admitted
    /// or queued; `nil` except in tests. A test cancels the request here, the moment at which a cancellation used to
    /// be lost (issue 9, defect 7).
    let admissionCheckpoint: (@Sendable () -> Void)?

    /// Where hashes run: threads of the pool's own (``WorkerThreads`` says why not Dispatch).
    private let threads: WorkerThreads
    /// Where the timer that unmaps idle arenas fires (short work, never a hash).
    private let arenaTimers: DispatchQueue
    private let state: PthreadLocked<State>

    /// The pool most callers share: one worker per core, a 1 GiB memory budget, a 5-second admission timeout.
    public static let shared = HashingPool()

    /// A pool.
    /// - Parameters:
    ///   - workerCount: hashes that may run at once; defaults to the number of active cores.
    ///   - memoryBudgetBytes: the most memory the pool may hold, running hashes and idle arenas together.
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
    init(
        workerCount: Int, memoryBudgetBytes: Int, admissionTimeout: Duration, arenaRetention: Duration,
        admissionCheckpoint: (@Sendable () -> Void)? = nil
    ) {
        self.arenaRetention = arenaRetention
        self.admissionCheckpoint = admissionCheckpoint
        self.workerCount = max(1, workerCount)
        self.memoryBudgetBytes = max(0, memoryBudgetBytes)
        self.admissionTimeout = admissionTimeout
        threads = WorkerThreads(limit: max(1, workerCount))
        arenaTimers = DispatchQueue(label: "deadbolt.hashing.arenas")
        state = PthreadLocked(State(freeWorkers: max(1, workerCount)))
    }

    deinit {
        threads.stop()
    }

    /// Whether the calling code runs on a hashing pool's worker.
    static var isOnWorker: Bool { WorkerThreads.isCurrent }

    /// The number of cores this process may use.
    public static var activeProcessorCount: Int { Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    /// What the pool holds right now, for tests and metrics.
    public struct Usage: Sendable, Equatable {
        /// Requests admitted and not yet finished, counting one whose caller has its result while its worker still
        /// wipes its arena.
        public var running: Int
        /// Bytes of memory held for running requests (the whole of each one's arena).
        public var bytesInUse: Int
        /// Bytes held by idle arenas, kept mapped for the next hashes.
        public var idleBytes: Int
        /// Requests waiting for admission.
        public var waiting: Int
        /// The most bytes the pool ever held at once, running requests and idle arenas together: never more than
        /// ``HashingPool/memoryBudgetBytes``.
        public var peakBytesInUse: Int
    }

    /// A snapshot of the pool's usage.
    public var usage: Usage {
        state.withLock { state in
            Usage(
                running: workerCount - state.freeWorkers, bytesInUse: state.chargedBytes, idleBytes: state.idleBytes,
                waiting: state.waiters.count, peakBytesInUse: state.peakHeldBytes)
        }
    }

    /// Runs `work` on a pool worker once a worker and `memoryBytes` of memory are free, and returns its result.
    ///
    /// `memoryBytes` must cover the Argon2 memory `work` uses (``Argon2/Parameters/memoryBytes``): Argon2 on the
    /// worker runs in the arena the pool lends for it and is refused memory beyond that.
    /// - Throws: ``HashingError/overloaded`` after waiting ``admissionTimeout``,
    ///   ``HashingError/exceedsMemoryBudget(requiredBytes:budgetBytes:)`` when `memoryBytes` exceeds the budget,
    ///   `CancellationError` if the task is cancelled while waiting, or whatever `work` throws.
    public func run<Result: Sendable>(
        memoryBytes: Int, _ work: @escaping @Sendable () throws -> Result
    ) async throws -> Result {
        let bytes = max(0, memoryBytes)
        let required = bytes > 0 ? Arena.roundedSize(bytes) : 0
        guard required <= memoryBudgetBytes else {
            throw HashingError.exceedsMemoryBudget(requiredBytes: required, budgetBytes: memoryBudgetBytes)
        }
        let lease = try await admit(bytes: bytes)
        return try await withCheckedThrowingContinuation { continuation in
            let job: WorkerThreads.Job = {
                let arena = self.prepare(lease)
                // Argon2 calls on this thread find the arena and the limit through the C shim's thread-local
                // binding (libargon2's allocation callbacks take no context); unbound before the thread serves
                // anything else.
                dbt_arena_bind(arena?.pointer, bytes)
                let result = Swift.Result { try work() }
                dbt_arena_unbind()
                continuation.resume(with: result)
                // The caller has its answer: wipe the blocks the hash left before anyone else may borrow them.
                arena?.wipe()
                self.release(lease, arena: arena)
            }
            do {
                try threads.submit(job)
            } catch {
                // No thread to run it: give the lease back as a finished hash would, its arena (if any) idle.
                release(lease, arena: prepare(lease))
                continuation.resume(throwing: error)
            }
        }
    }

    // MARK: Admission

    fileprivate struct Waiter {
        let id: UInt64
        let bytes: Int
        let continuation: CheckedContinuation<Lease, any Error>
    }

    fileprivate struct State {
        var freeWorkers: Int
        /// Bytes charged to admitted requests: their arenas, and arenas being unmapped to make room for them.
        var chargedBytes = 0
        /// Arenas no hash holds, wiped and ready to lend, and their bytes.
        var idleArenas: [Arena] = []
        var idleBytes = 0
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
        var peakHeldBytes = 0
        /// Arenas mapped or being mapped, lent or idle, and their bytes.
        var arenaCount = 0
        var arenaBytes = 0
        var peakArenaBytes = 0
        var arenaReuses = 0
        /// Counts hashes admitted, so a scheduled release can tell that the pool was not idle all along.
        var arenaGeneration: UInt64 = 0

        init(freeWorkers: Int) {
            self.freeWorkers = freeWorkers
        }
    }

    private enum Admission {
        case admitted(Lease)
        case queued
        case cancelled
    }

    private func admit(bytes: Int) async throws -> Lease {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Lease, any Error>) in
                admissionCheckpoint?()
                let admission = state.withLock { state -> Admission in
                    // Cancellation is checked under the lock that queues the waiter: a task cancelled before this
                    // point is seen here; one cancelled after it finds its waiter queued, because its handler
                    // (abandon) takes this lock to look. Checked earlier, outside the lock, a cancellation in between
                    // found nothing to remove and the waiter waited out its deadline.
                    if Task.isCancelled { return .cancelled }
                    // First come, first served: nobody overtakes a waiter, so a large hash is never starved.
                    if state.waiters.isEmpty, let lease = grant(bytes: bytes, in: &state) { return .admitted(lease) }
                    state.waiters.append(Waiter(id: id, bytes: bytes, continuation: continuation))
                    return .queued
                }
                switch admission {
                case .admitted(let lease):
                    continuation.resume(returning: lease)
                case .cancelled:
                    continuation.resume(throwing: CancellationError())
                case .queued:
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

    /// Removes a waiter that timed out or was cancelled, if it is still waiting.
    private func abandon(id: UInt64, with error: any Error) {
        let (abandoned, admitted) = state.withLock { state -> (Waiter?, [(Waiter, Lease)]) in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return (nil, []) }
            let waiter = state.waiters.remove(at: index)
            // The head may have been blocking those behind it only by being first.
            return (waiter, admitWaiters(&state))
        }
        abandoned?.continuation.resume(throwing: error)
        for (waiter, lease) in admitted { waiter.continuation.resume(returning: lease) }
    }

    /// Gives back a finished request's worker and memory (its arena, wiped, becomes idle) and admits whoever fits.
    private func release(_ lease: Lease, arena: Arena?) {
        let (admitted, idleGeneration) = state.withLock { state -> ([(Waiter, Lease)], UInt64?) in
            state.freeWorkers += 1
            state.chargedBytes -= lease.charge
            if let arena {
                state.idleArenas.append(arena)
                state.idleBytes += arena.capacity
            }
            let admitted = admitWaiters(&state)
            let idle = state.freeWorkers == workerCount && state.waiters.isEmpty && !state.idleArenas.isEmpty
            return (admitted, idle ? state.arenaGeneration : nil)
        }
        for (waiter, lease) in admitted { waiter.continuation.resume(returning: lease) }
        if let idleGeneration { scheduleArenaRelease(generation: idleGeneration) }
    }

    /// Admits waiters from the head of the queue while the head fits.
    fileprivate func admitWaiters(_ state: inout State) -> [(Waiter, Lease)] {
        var admitted: [(Waiter, Lease)] = []
        while let head = state.waiters.first, let lease = grant(bytes: head.bytes, in: &state) {
            state.waiters.removeFirst()
            admitted.append((head, lease))
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

    /// The idle arenas, for tests (how often each served, whether each is wiped).
    var idleArenas: [Arena] { state.withLock { state in state.idleArenas } }

    /// Takes a worker and memory for a request of `bytes` if both are free now, and says which memory: the smallest
    /// idle arena that is large enough (charged its whole size); else a new arena, if the budget has room for it once
    /// idle arenas (all smaller) are unmapped; else nothing, and the request waits.
    fileprivate func grant(bytes: Int, in state: inout State) -> Lease? {
        guard state.freeWorkers > 0 else { return nil }
        let lease: Lease
        if bytes == 0 {
            lease = Lease(charge: 0)
        } else if let best = state.idleArenas.indices.filter({ state.idleArenas[$0].capacity >= bytes })
            .min(by: { state.idleArenas[$0].capacity < state.idleArenas[$1].capacity })
        {
            let arena = state.idleArenas.remove(at: best)
            state.idleBytes -= arena.capacity
            state.arenaReuses += 1
            lease = Lease(charge: arena.capacity, arena: arena)
        } else {
            let size = Arena.roundedSize(bytes)
            let room = memoryBudgetBytes - state.chargedBytes - state.idleBytes
            guard room + state.idleBytes >= size else { return nil }
            // Unmap the largest idle arenas first, so the fewest go. Until they are unmapped, their bytes stay
            // charged to this request: nobody else may count on them.
            state.idleArenas.sort { $0.capacity < $1.capacity }
            var retired: [Arena] = []
            var retiredBytes = 0
            while room + retiredBytes < size, let largest = state.idleArenas.popLast() {
                retired.append(largest)
                retiredBytes += largest.capacity
            }
            state.idleBytes -= retiredBytes
            state.arenaCount += 1 - retired.count
            state.arenaBytes += size - retiredBytes
            state.peakArenaBytes = max(state.peakArenaBytes, state.arenaBytes)
            lease = Lease(charge: max(size, retiredBytes), newArenaBytes: size, retired: retired)
        }
        state.freeWorkers -= 1
        state.chargedBytes += lease.charge
        state.peakHeldBytes = max(state.peakHeldBytes, state.chargedBytes + state.idleBytes)
        state.arenaGeneration += 1
        return lease
    }

    /// On the worker, before the hash: the arena the lease names, or a new one, mapped and faulted in after the
    /// arenas it retires are unmapped (so the process never holds both). Gives back charge beyond the new arena.
    /// `nil` when the hash needs none, or the system refused to map one (then the hash takes heap memory within
    /// its charge).
    fileprivate func prepare(_ lease: Lease) -> Arena? {
        guard lease.newArenaBytes > 0 else { return lease.arena }
        lease.retired.removeAll()  // unmapped here, as the last references go
        // dbt_arena_create rounds to pages as `roundedSize` does; an arena of another size would unbalance the charge.
        let made = Arena(bytes: lease.newArenaBytes).flatMap { $0.capacity == lease.newArenaBytes ? $0 : nil }
        let surplus = lease.charge - lease.newArenaBytes
        guard surplus > 0 || made == nil else { return made }
        let admitted = state.withLock { state -> [(Waiter, Lease)] in
            if made == nil {
                state.arenaCount -= 1
                state.arenaBytes -= lease.newArenaBytes
            }
            state.chargedBytes -= surplus
            return admitWaiters(&state)
        }
        lease.charge -= surplus
        for (waiter, admittedLease) in admitted { waiter.continuation.resume(returning: admittedLease) }
        return made
    }

    /// Unmaps the idle arenas `arenaRetention` from now, unless a hash starts before then.
    fileprivate func scheduleArenaRelease(generation: UInt64) {
        let retention = arenaRetention.components
        let nanoseconds = retention.seconds * 1_000_000_000 + retention.attoseconds / 1_000_000_000
        arenaTimers.asyncAfter(deadline: .now() + .nanoseconds(Int(clamping: nanoseconds))) { [weak self] in
            self?.releaseIdleArenas(ifStillIdleSince: generation)
        }
    }

    fileprivate func releaseIdleArenas(ifStillIdleSince generation: UInt64) {
        let released = state.withLock { state -> [Arena] in
            guard state.arenaGeneration == generation else { return [] }
            let released = state.idleArenas
            state.idleArenas.removeAll()
            state.idleBytes = 0
            state.arenaCount -= released.count
            state.arenaBytes -= released.reduce(0) { $0 + $1.capacity }
            return released
        }
        // Unmapped as `released` goes, outside the lock.
        _ = released
    }
}

/// What admission granted one request: its charge against the budget and the memory it hashes in.
///
/// A reference, handed from the admitting lock to the request and from the request to its worker, and used by one
/// thread at a time along that path; so the worker can drop the arenas it retires (unmapping them) and settle the
/// charge.
private final class Lease: @unchecked Sendable {
    /// Bytes counted against the budget while the request runs.
    var charge: Int
    /// An idle arena handed over to this request.
    let arena: Arena?
    /// When non-zero, the size of a new arena to map for this request, after unmapping `retired`.
    let newArenaBytes: Int
    /// Idle arenas to unmap to make room for the new one.
    var retired: [Arena]

    init(charge: Int, arena: Arena? = nil, newArenaBytes: Int = 0, retired: [Arena] = []) {
        self.charge = charge
        self.arena = arena
        self.newArenaBytes = newArenaBytes
        self.retired = retired
    }
}

/// Argon2 memory mapped once and lent to one hash at a time (dbt_arena in the C shim). A hash leaves its blocks in
/// it; the pool wipes them (``wipe()``) before lending it again. Unmapped on deinit (after a wipe).
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

    /// Overwrites every block hashes have written since the last wipe.
    func wipe() { dbt_arena_wipe(pointer) }

    /// The arena's memory, read-only, for tests that check the wipe.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: dbt_arena_memory(pointer), count: capacity) }

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
