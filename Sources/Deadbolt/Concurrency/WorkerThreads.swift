#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fixed set of threads of the process's own that run submitted jobs in order: where the hashing pool runs its
/// hashes.
///
/// Not Dispatch: a concurrent dispatch queue draws its threads from the same small pool (about one per core) as
/// the Swift cooperative executor and every other non-overcommit queue, and a hash needs a thread the moment it is
/// admitted. Seen here with the pool on such a queue: under the sign-in tests (which block threads of that pool
/// with synchronous sockets and SQLite), every waiting request of a run timed out at admission at the same moment,
/// 5 seconds after admitted hashes of 8 KiB stopped finishing; with these threads the same suites pass. Threads
/// made for the pool and parked on a condition variable cannot be starved that way, and a wake-up costs a few
/// microseconds.
final class WorkerThreads: @unchecked Sendable {
    // @unchecked: `jobs` and the counts are touched only between locking and unlocking `mutex`; the pointers are
    // fixed at init and freed only in deinit, which runs once every thread has let go of `self` (each holds a
    // reference until it exits).
    typealias Job = @Sendable () -> Void

    private let limit: Int
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let jobWaiting: UnsafeMutablePointer<pthread_cond_t>
    private var jobs: [Job] = []
    private var threads = 0
    private var idleThreads = 0
    private var stopping = false

    /// At most `limit` threads (at least one), started as jobs arrive and kept until ``stop()``.
    init(limit: Int) {
        self.limit = max(1, limit)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        jobWaiting = .allocate(capacity: 1)
        jobWaiting.initialize(to: pthread_cond_t())
        pthread_cond_init(jobWaiting, nil)
    }

    deinit {
        pthread_cond_destroy(jobWaiting)
        jobWaiting.deinitialize(count: 1)
        jobWaiting.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Whether the calling code runs on one of these threads (of any instance).
    static var isCurrent: Bool { pthread_getspecific(workerKey) != nil }

    /// Runs `job` on the next free thread, starting one if none is free and the limit allows.
    /// - Throws: ``HashingError/backendFailure(_:)`` when no thread runs and the system refuses to start one; the
    ///   job is then dropped.
    func submit(_ job: @escaping Job) throws {
        pthread_mutex_lock(mutex)
        jobs.append(job)
        // Idle threads already signalled may not have woken yet: count the jobs still queued against them.
        let startsThread = jobs.count > idleThreads && threads < limit
        if startsThread { threads += 1 }
        pthread_mutex_unlock(mutex)
        guard startsThread else {
            pthread_cond_signal(jobWaiting)
            return
        }
        let failure = startThread()
        guard failure != 0 else { return }
        pthread_mutex_lock(mutex)
        threads -= 1
        let stranded = threads == 0
        if stranded { jobs.removeAll() }
        pthread_mutex_unlock(mutex)
        if stranded { throw HashingError.backendFailure("could not start a hashing thread (error \(failure))") }
    }

    /// Lets every thread finish the jobs already submitted, then exit.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_mutex_unlock(mutex)
        pthread_cond_broadcast(jobWaiting)
    }

    /// Starts a detached thread that serves jobs, holding a reference to `self` until it exits; 0 or an errno.
    private func startThread() -> Int32 {
        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let result = pthread_create(
            &thread, nil,
            { context in
                guard let context else { return nil }
                Unmanaged<WorkerThreads>.fromOpaque(context).takeRetainedValue().serve()
                return nil
            }, context)
        if result == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<WorkerThreads>.fromOpaque(context).release()
        }
        return result
    }

    private func serve() {
        pthread_setspecific(Self.workerKey, UnsafeRawPointer(bitPattern: 1))
        while let job = next() { job() }
    }

    private func next() -> Job? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while jobs.isEmpty && !stopping {
            idleThreads += 1
            pthread_cond_wait(jobWaiting, mutex)
            idleThreads -= 1
        }
        guard !jobs.isEmpty else {
            threads -= 1
            return nil
        }
        // Few jobs ever wait (the pool admits at most one per thread), so taking from the front is cheap.
        return jobs.removeFirst()
    }

    /// Marks this type's threads, for ``isCurrent``.
    private static let workerKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()
}
