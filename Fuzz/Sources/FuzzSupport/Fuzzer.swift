import CFuzzDriver
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Runs libFuzzer over `body`, one call per input, with this process's command line (libFuzzer's flags and corpus
/// directories), and exits with libFuzzer's status.
public func runFuzzer(_ body: @escaping ([UInt8]) -> Void) -> Never {
    fuzzBody = body
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
}

/// The callback libFuzzer runs per input. Exported under libFuzzer's conventional name too: the fuzzer runtime's
/// own main (unused, since SwiftPM points `main` at the Swift one) refers to it, and the link needs it defined.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else {
        fuzzBody?([])
        return 0
    }
    fuzzBody?(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

// libFuzzer calls back through a C function pointer, which cannot capture: the body waits here. Set once, before
// libFuzzer starts, and only read after.
nonisolated(unsafe) private var fuzzBody: (([UInt8]) -> Void)?

/// Stops the fuzzer with a message when a property does not hold: libFuzzer records the input as a crash.
public func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() { fatalError("property violated: \(message())") }
}

/// Runs async code to completion from libFuzzer's synchronous callback. `Task.immediate` starts it on this thread,
/// so code that never suspends (the vector kinds) finishes before the wait, with no hop to another thread (which,
/// on a busy machine, cost each input a scheduler slice).
public func blocking<Result: Sendable>(_ body: @escaping @Sendable () async -> Result) -> Result {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<Result>()
    Task.immediate {
        box.value = await body()
        done.signal()
    }
    done.wait()
    guard let value = box.value else { fatalError("the task ended without a result") }
    return value
}

// Written by the task before it signals and read after the wait: the semaphore orders the two.
private final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}

/// Splits an input into up to `count` parts at the first `count - 1` zero bytes, so one input can feed a function
/// of several arguments.
public func fields(_ bytes: [UInt8], count: Int) -> [[UInt8]] {
    bytes.split(separator: 0, maxSplits: count - 1, omittingEmptySubsequences: false).map(Array.init)
}
