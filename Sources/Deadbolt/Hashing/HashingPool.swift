import Dispatch
import Synchronization

/// Where slow hashes run: off the caller's executor (never on the Swift cooperative pool or an event loop), on a
/// dedicated dispatch queue, with at most ``workerCount`` at once and at most ``memoryBudgetBytes`` of Argon2
/// memory in flight.
///
/// A request waits, first come first served, until both a worker and its memory are free. If that takes longer
/// than ``admissionTimeout``, it fails with ``HashingError/overloaded`` instead of queueing without bound; a request
/// that alone needs more than the whole budget fails at once with ``HashingError/exceedsMemoryBudget(requiredBytes:budgetBytes:)``.
/// So a flood of hash requests costs latency and refusals, never the process's memory.
public final class HashingPool: Sendable {
    /// How many hashes may run at once.
    public let workerCount: Int
    /// The most Argon2 memory, in bytes, that the hashes running at once may hold together.
    public let memoryBudgetBytes: Int
    /// How long a request may wait for admission before it fails with ``HashingError/overloaded``.
    public let admissionTimeout: Duration

    private let queue: DispatchQueue
    private let state: Mutex<State>

    /// The pool most callers share: one worker per core, a 1 GiB memory budget, a 5-second admission timeout.
    public static let shared = HashingPool()

    /// A pool.
    /// - Parameters:
    ///   - workerCount: hashes that may run at once; defaults to the number of active cores.
    ///   - memoryBudgetBytes: Argon2 memory that may be in flight at once.
    ///   - admissionTimeout: how long a request may wait for a worker and memory.
    public init(
        workerCount: Int = HashingPool.activeProcessorCount, memoryBudgetBytes: Int = 1 << 30,
        admissionTimeout: Duration = .seconds(5)
    ) {
        self.workerCount = max(1, workerCount)
        self.memoryBudgetBytes = max(0, memoryBudgetBytes)
        self.admissionTimeout = admissionTimeout
        queue = DispatchQueue(label: "deadbolt.hashing", qos: .userInitiated, attributes: .concurrent)
        queue.setSpecific(key: Self.workerMarker, value: true)
        state = Mutex(State(freeWorkers: max(1, workerCount), freeBytes: max(0, memoryBudgetBytes)))
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
                let result = Swift.Result { try work() }
                self.release(bytes: bytes)
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

    private func release(bytes: Int) {
        let admitted = state.withLock { state -> [Waiter] in
            state.freeWorkers += 1
            state.freeBytes += bytes
            return admitWaiters(&state)
        }
        for waiter in admitted { waiter.continuation.resume() }
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

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
