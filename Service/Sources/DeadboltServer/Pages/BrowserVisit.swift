import Deadbolt
import HTTPTypes
import Hummingbird

/// What a page request carries from the browser: its browser identifier (made on the first visit), and the cookies
/// the answer must set or clear.
struct BrowserVisit {
    /// The browser cookie's value: 32 random bytes in hex.
    let browserID: String
    /// `Set-Cookie` values for the answer.
    var setCookies: [String] = []

    /// A year: the browser cookie only binds flows to a browser; it proves nothing by itself.
    static let browserCookieLifetime = 365 * 24 * 3600

    /// The visit of `request`, making a browser identifier when it has none (or a malformed one).
    init(_ request: Request) throws {
        if let existing = BrowserCookie.browser.value(in: request), existing.utf8.count == 64,
            Hex.decode(existing)?.count == 32
        {
            browserID = existing
        } else {
            browserID = Hex.encode(try SecureRandom.bytes(count: 32))
            setCookies.append(BrowserCookie.browser.set(browserID, maxAge: Self.browserCookieLifetime))
        }
    }

    /// Adds the pending cookies to `response`.
    func apply(to response: inout Response) {
        for cookie in setCookies { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
    }
}
