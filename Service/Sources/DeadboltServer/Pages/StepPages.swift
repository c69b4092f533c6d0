import DeadboltSignIn
import HTTPTypes
import Hummingbird

/// The pieces every flow page shares: the step cookie, the answer pages that end a flow for now (locked, try
/// later), and reading a posted step.
extension ServerRuntime {
    /// Ten minutes: a step token's lifetime in the sign-in system.
    static let stepCookieLifetime = 600

    /// A posted form before sign-in, its visit, and the step token from the step cookie.
    ///
    /// - Throws: ``Problem`` `.stepExpired` when the browser holds no step (the cookie expired or was never set).
    func readStepForm(_ request: Request) async throws -> (FormFields, BrowserVisit, StepToken) {
        let (form, visit) = try await readBrowserForm(request)
        guard let text = BrowserCookie.step.value(in: request), let token = StepToken(text: text) else {
            throw Problem(.stepExpired, "This step has expired. Please start again.")
        }
        return (form, visit, token)
    }

    /// `page` with the step cookie set to `token`.
    func withStep(_ token: StepToken, _ page: Response) -> Response {
        var response = page
        response.headers.append(
            HTTPField(name: .setCookie, value: BrowserCookie.step.set(token.text, maxAge: Self.stepCookieLifetime)))
        return response
    }

    /// `page` with the step cookie cleared.
    func clearingStep(_ page: Response) -> Response {
        var response = page
        response.headers.append(HTTPField(name: .setCookie, value: BrowserCookie.step.clear))
        return response
    }

    /// A simple page: a heading, paragraphs, and links.
    func messagePage(
        _ heading: String, _ paragraphs: [String], success: String? = nil, alert: String? = nil,
        button: (href: String, label: String)? = nil, links: [(href: String, label: String)] = [],
        signedIn: Bool = false, csrf: String = ""
    ) -> Response {
        var values: [String: Any] = [
            "heading": heading, "paragraphs": paragraphs, "links": links.map { ["href": $0.href, "label": $0.label] },
            "signedIn": signedIn, "csrf": csrf,
        ]
        if let success { values["success"] = success }
        if let alert { values["alert"] = alert }
        if let button { values["button"] = ["href": button.href, "label": button.label] }
        return pages.page("message", values)
    }

    /// The page for a temporary lock.
    func lockedPage(_ retryAfter: Duration) -> Response {
        var response = messagePage(
            "Too many tries",
            ["For your security, sign-in to this account is paused. If you have forgotten your PIN, reset it instead."],
            alert: "Too many wrong tries. You can try again \(WaitText.phrase(retryAfter)).",
            links: [("/forgot-pin", "Forgot your PIN?"), ("/", "Start page")])
        response.headers[.retryAfter] = String(Problem.seconds(retryAfter))
        return clearingStep(response)
    }

    /// The page for a hard lock.
    func hardLockedPage() -> Response {
        clearingStep(
            messagePage(
                "Your account is locked",
                [
                    "There have been too many wrong tries on this account. To unlock it, reset your PIN, or contact the service's help desk."
                ],
                alert: "This account is locked until you reset your PIN.",
                button: ("/forgot-pin", "Reset your PIN")))
    }

    /// The page for a rate limit.
    func tryLaterPage(_ retryAfter: Duration) -> Response {
        var response = messagePage(
            "Please wait", ["Too many requests were made. You can try again \(WaitText.phrase(retryAfter))."],
            links: [("/", "Start page")])
        response.headers[.retryAfter] = String(Problem.seconds(retryAfter))
        return response
    }

    /// Where PIN rules are explained beside the field.
    static let pinHint =
        "4 to 6 digits. Avoid easy PINs such as 1234, 1111 or a year, and avoid your birth date, phone number or the last four digits of your Social Security number."
    static let passwordHint =
        "At least 12 characters. A few unrelated words make a strong password. Avoid common passwords and your email address."
}
