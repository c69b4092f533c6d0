import Deadbolt
import Foundation

/// What one pass of the ``DeliveryWorker`` did.
public struct DeliveryReport: Sendable, Hashable {
    /// Messages delivered.
    public var sent = 0
    /// Messages that failed and wait for another try.
    public var retried = 0
    /// Messages given up (out of attempts, refused for good, or unreadable).
    public var failed = 0
    /// Code messages past their expiry, erased.
    public var expired = 0
}

/// Delivers the outbox: claims due messages with a lease, opens the sealed ones, renders, sends through the
/// ``MessageTransport``, marks them sent (erasing a code) or reschedules with exponential backoff.
///
/// Several workers (in one process or on several replicas) never hold one message at once: the store's claim is
/// atomic and leased. A worker that dies after sending and before marking leaves the message to be sent again when
/// its lease ends (at-least-once; a transport may dedupe by ``OutgoingMessage/id``).
public struct DeliveryWorker: Sendable {
    let context: FlowContext
    let transport: any MessageTransport
    /// This worker's name in leases.
    public let name: String
    /// How long a claim holds a message. Longer than one send can take.
    public let lease: Duration = .seconds(60)
    /// Messages claimed per pass.
    public let batchSize = 20

    /// Delivers every message due now, one batch at a time, until none is left.
    /// - Throws: ``SignInError/unavailable`` when the store fails.
    public func deliverDue() async throws -> DeliveryReport {
        var report = DeliveryReport()
        report.expired = try await context.storeCall { try await context.store.expireMessages(now: context.now) }
        while true {
            let batch = try await context.storeCall {
                try await context.store.claimMessages(worker: name, now: context.now, lease: lease, limit: batchSize)
            }
            if batch.isEmpty { return report }
            for message in batch { try await deliver(message, into: &report) }
        }
    }

    /// Runs ``deliverDue()`` every `interval` until the task is cancelled; store failures are logged and retried at
    /// the next pass.
    public func run(every interval: Duration = .seconds(2)) async {
        while !Task.isCancelled {
            do {
                _ = try await deliverDue()
            } catch {
                context.logger.warning("outbox delivery pass failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    private func deliver(_ message: OutboxMessage, into report: inout DeliveryReport) async throws {
        let outgoing: OutgoingMessage
        do {
            let json = message.isSealed ? try context.unsealText(message.body, account: "message:" + message.id.rawValue) : message.body
            let envelope = try JSONDecoder().decode(OutboxEnvelope.self, from: Data(json.utf8))
            outgoing = OutgoingMessage(
                id: message.id, channel: message.channel, destination: envelope.destination, notice: envelope.notice,
                rendered: context.renderer.render(envelope.notice))
        } catch {
            context.logger.error("an outbox message cannot be read; giving it up", metadata: ["message": "\(message.id)"])
            _ = try await context.storeCall {
                try await context.store.reschedule(message.id, worker: name, notBefore: context.now, error: "unreadable", giveUp: true)
            }
            report.failed += 1
            return
        }
        do {
            try await transport.send(outgoing)
        } catch {
            let permanent = if case MessageDeliveryError.permanent = error { true } else { false }
            let giveUp = permanent || message.attempts >= context.configuration.deliveryAttempts
            let reason = (error as? MessageDeliveryError)?.description ?? "transport error"
            _ = try await context.storeCall {
                try await context.store.reschedule(
                    message.id, worker: name, notBefore: context.now.adding(backoff(afterAttempts: message.attempts)),
                    error: String(reason.prefix(200)), giveUp: giveUp)
            }
            if giveUp { report.failed += 1 } else { report.retried += 1 }
            return
        }
        if try await context.storeCall({ try await context.store.markSent(message.id, worker: name, now: context.now) }) {
            report.sent += 1
        }
    }

    /// The wait before attempt `attempts + 1`: the configured backoff doubled per attempt, capped.
    func backoff(afterAttempts attempts: Int) -> Duration {
        var wait = context.configuration.deliveryBackoff
        for _ in 1..<max(1, attempts) {
            wait = wait * 2
            if wait >= context.configuration.deliveryMaximumBackoff { return context.configuration.deliveryMaximumBackoff }
        }
        return min(wait, context.configuration.deliveryMaximumBackoff)
    }
}
