import Deadbolt
import HTTPTypes
import Hummingbird

/// The server's cookies, all `__Host-` prefixed (so only this exact origin can set them: no subdomain, path `/`,
/// `Secure`), `HttpOnly` and never readable by script. Chromium and Firefox treat http://127.0.0.1 and localhost as
/// secure contexts, so the prefix works on the embedded default too.
enum BrowserCookie: String, CaseIterable {
    /// An opaque per-browser identifier (random, not a secret by itself): binds step tokens to this browser and
    /// keys the CSRF token of forms shown before sign-in. `SameSite=Lax`, kept a year.
    case browser = "__Host-deadbolt-browser"
    /// The current step token of a flow in progress (sign-in, sign-up, Forgot PIN). `SameSite=Strict`, 10 minutes.
    case step = "__Host-deadbolt-step"
    /// The session token. `SameSite=Strict`, a browser-session cookie (the server ends it on idle or at 12 hours).
    case session = "__Host-deadbolt-session"
    /// A remembered device ("remember this device"). `SameSite=Lax`, 30 days.
    case device = "__Host-deadbolt-device"

    var sameSite: String { self == .browser || self == .device ? "Lax" : "Strict" }

    /// The `Set-Cookie` value setting `value`, for `maxAge` seconds (`nil`: until the browser closes).
    func set(_ value: String, maxAge: Int?) -> String {
        var text = "\(rawValue)=\(value); Path=/; Secure; HttpOnly; SameSite=\(sameSite)"
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return text
    }

    /// The `Set-Cookie` value that deletes this cookie.
    var clear: String { "\(rawValue)=; Path=/; Secure; HttpOnly; SameSite=\(sameSite); Max-Age=0" }

    /// This cookie's value in `request`, if present and at most 256 bytes (a longer one is ignored unread).
    func value(in request: Request) -> String? {
        guard let value = request.cookies[rawValue]?.value, !value.isEmpty, value.utf8.count <= 256 else { return nil }
        return value
    }
}

/// The CSRF token of forms shown before sign-in: HMAC-SHA-256 of the browser cookie under the cookie key (OWASP's
/// "signed double-submit cookie"): a page on another site can neither read the browser cookie nor compute the tag.
/// After sign-in, forms carry the session's own token instead.
struct BrowserCSRF: Sendable {
    let key: SecretBytes

    /// The token for `browserID`.
    func token(for browserID: String) -> String {
        let tag =
            (try? HMAC.authenticationCode(for: Array("deadbolt-csrf:\(browserID)".utf8), using: key, hash: .sha256))
            ?? []
        return Hex.encode(tag)
    }

    /// Whether `token` is the one for `browserID`, compared in constant time.
    func isValid(_ token: String?, for browserID: String) -> Bool {
        guard let token, token.utf8.count == 64 else { return false }
        return ConstantTime.equals(Array(self.token(for: browserID).utf8), Array(token.utf8))
    }
}
