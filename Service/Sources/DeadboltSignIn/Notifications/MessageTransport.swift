import Synchronization

/// Sends one rendered message: SMTP, an SMS gateway, a development mailbox (the reference server's), or
/// ``RecordingTransport`` in tests.
///
/// Throw to have the worker retry with backoff; throw ``MessageDeliveryError/permanent(_:)`` when retrying cannot
/// help (an address the relay refuses). Never log or keep a message that carries a code.
public protocol MessageTransport: Sendable {
    /// Sends `message`.
    func send(_ message: OutgoingMessage) async throws
}

/// A transport's typed refusal. Reasons name the failure, never the message.
public enum MessageDeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Retrying may help (a timeout, a relay temporarily refusing).
    case temporary(String)
    /// Retrying cannot help; the message is given up.
    case permanent(String)

    public var description: String {
        switch self {
        case .temporary(let reason): "delivery failed, will retry: \(reason)"
        case .permanent(let reason): "delivery refused: \(reason)"
        }
    }
}

/// A transport for tests: keeps every message it is handed, in order, and can be told to fail.
public final class RecordingTransport: MessageTransport {
    private let state = Mutex<(messages: [OutgoingMessage], failures: [MessageDeliveryError])>(([], []))

    /// An empty recorder.
    public init() {}

    /// Every message sent, in order.
    public var messages: [OutgoingMessage] { state.withLock { $0.messages } }

    /// Makes the next sends fail with these errors, one each, in order.
    public func failNext(_ errors: [MessageDeliveryError]) {
        state.withLock { $0.failures += errors }
    }

    /// Forgets every message recorded.
    public func removeAll() {
        state.withLock { $0.messages.removeAll() }
    }

    public func send(_ message: OutgoingMessage) async throws {
        let failure = state.withLock { state -> MessageDeliveryError? in
            guard state.failures.isEmpty else { return state.failures.removeFirst() }
            state.messages.append(message)
            return nil
        }
        if let failure { throw failure }
    }
}
