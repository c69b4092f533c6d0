import Testing
@testable import Deadbolt

@Suite struct StateKeyIdentifierTests {
    @Test func identifiersAreEscapedIntoScopes() throws {
        let key = try StateKey(namespace: "lockout", identifier: "a{b}%c", name: "pin")
        #expect(key.scope == "a%7Bb%7D%25c")
        #expect(key.rendered == "deadbolt:{a%7Bb%7D%25c}:lockout:pin")
        // Escaping is injective: the escaped form of one identifier is never another identifier's.
        let literal = try StateKey(namespace: "lockout", identifier: "a%7Bb%7D%25c", name: "pin")
        #expect(literal != key)
    }

    @Test func emptyOrOverlongIdentifiersAreRefused() {
        #expect(throws: StateStoreError.self) { try StateKey(namespace: "x", identifier: "") }
        #expect(throws: StateStoreError.self) {
            try StateKey(namespace: "x", identifier: String(repeating: "a", count: 257))
        }
        // 100 braces become 300 bytes once escaped.
        #expect(throws: StateStoreError.self) {
            try StateKey(namespace: "x", identifier: String(repeating: "{", count: 100))
        }
        #expect(throws: Never.self) { try StateKey(namespace: "x", identifier: String(repeating: "a", count: 256)) }
    }

    /// Every key a second factor builds from an account escapes it like the lockout policy does: `%` in an account
    /// once made a raw scope that equals another account's escaped one, and a brace made the key invalid.
    @Test func secondFactorKeysEscapeTheAccountLikeEveryPolicy() throws {
        let account = "a{b}%@example.com"
        let escaped = try StateKey(namespace: "x", identifier: account).scope
        #expect(escaped == "a%7Bb%7D%25@example.com")
        let keys = [
            try OneTimeCodeVerifier.lockoutKey(account: account),
            try IssuedCodeSender.codeKey(account: account, purpose: .pinReset),
            try RecoveryCodes.setKey(account: account),
            try AttemptKeys.accountKey(purpose: "login", account: account),
        ]
        for key in keys { #expect(key.scope == escaped) }
    }
}
