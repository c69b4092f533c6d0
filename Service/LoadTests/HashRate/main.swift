import Deadbolt
import Foundation

// deadbolt-hash-rate: what the hashing pool alone can do on this machine, the ceiling the load test compares the
// server's sign-in throughput with (scripts/load-test). It verifies a password hash and a peppered PIN hash —
// the two Argon2 verifications of a sign-in, under the server's default parameters (OWASP m=19 MiB, t=2, p=1) —
// from `concurrency` tasks through the pool the server uses (one worker per core), for `seconds`, and prints
// verifications per second and the sign-ins per second that allows (half of it).
//
//   deadbolt-hash-rate [seconds=10] [concurrency=2×cores]

let arguments = CommandLine.arguments.dropFirst().compactMap { Int($0) }
let seconds = arguments.first ?? 10
let concurrency = arguments.dropFirst().first ?? 2 * HashingPool.activeProcessorCount
guard (1...600).contains(seconds), (1...1024).contains(concurrency) else {
    FileHandle.standardError.write(Data("usage: deadbolt-hash-rate [seconds 1...600] [concurrency 1...1024]\n".utf8))
    exit(2)
}

let pepper = try PepperKeyring(current: PepperKey(id: "load", secret: SecretBytes.random(count: 32)))
let passwords = try PasswordHasher(for: .password, keyring: pepper)
let pins = try PasswordHasher(for: .pin, keyring: pepper)
let passwordHash = try await passwords.hash(SecretBytes(utf8: "correct horse battery staple 2024"))
let pinHash = try await pins.hash(SecretBytes(utf8: "482913"))

let clock = ContinuousClock()
let end = clock.now.advanced(by: .seconds(seconds))
let verifications = try await withThrowingTaskGroup(of: Int.self) { group in
    for worker in 0..<concurrency {
        group.addTask {
            var count = 0
            while clock.now < end {
                // Alternate as a sign-in does: a password, then a PIN.
                if (count + worker) % 2 == 0 {
                    _ = try await passwords.verify("correct horse battery staple 2024", against: passwordHash)
                } else {
                    _ = try await pins.verify("482913", against: pinHash)
                }
                count += 1
            }
            return count
        }
    }
    var total = 0
    for try await count in group { total += count }
    return total
}
let rate = Double(verifications) / Double(seconds)
print(
    String(
        format: "hash-rate: %d cores, %d tasks, %d s: %.1f verifications/s, %.1f sign-ins/s (2 verifications each)",
        HashingPool.activeProcessorCount, concurrency, seconds, rate, rate / 2))
