import DeadboltSignIn
import DeadboltTransports
import HTTPTypes
import Hummingbird

extension ServerRuntime {
    /// The pages a person uses. Every page before sign-in is under the per-address limit; every POST passes the
    /// Origin/Fetch-Metadata check and carries a CSRF token.
    func addPageRoutes(to router: Router<ServerRequestContext>) {
        let pages = pages
        router.get("/") { request, _ in
            let visit = try BrowserVisit(request)
            var response = pages.page("start", ["csrf": browserCSRF.token(for: visit.browserID)])
            visit.apply(to: &response)
            return response
        }
        let open = router.group()
            .add(middleware: AddressLimitMiddleware(limiter: addressLimiter, metrics: metrics))
            .add(middleware: OriginCheckMiddleware(publicOrigin: origin))
        addSignInPages(to: open)
        addSignUpPages(to: open)
        addRecoveryPages(to: open)
        let account = router.group().add(middleware: OriginCheckMiddleware(publicOrigin: origin))
        addAccountPages(to: account)
        addMailboxRoute(to: router)
    }

    /// The CSRF tokens of pages shown before sign-in.
    var browserCSRF: BrowserCSRF { BrowserCSRF(key: keys.cookie) }

    /// Renders `form` for `visit` (before sign-in), setting the visit's cookies.
    /// In-flow outcomes (a refused PIN, a wrong code, a lock) are answered 200 with the page saying what happened,
    /// as GOV.UK's pages do; HTTP errors are kept for requests that failed (CSRF, limits, overload).
    func formPage(_ form: FormPage, visit: BrowserVisit) -> Response {
        var response = pages.page("form", form.values(csrf: browserCSRF.token(for: visit.browserID), signedIn: false))
        visit.apply(to: &response)
        return response
    }

    /// Reads a form posted before sign-in and checks its CSRF token against the browser cookie.
    ///
    /// - Throws: ``Problem`` `.crossSiteRequest` when the token is missing or wrong (a form from another site, or
    ///   a browser whose cookie was lost), or whatever reading the body throws.
    func readBrowserForm(_ request: Request) async throws -> (FormFields, BrowserVisit) {
        let form = try await bodies.form(request)
        let visit = try BrowserVisit(request)
        guard visit.setCookies.isEmpty, browserCSRF.isValid(form["csrf"], for: visit.browserID) else {
            throw Problem(.crossSiteRequest, "This form has expired or did not come from this site. Go back, reload the page and try again.")
        }
        return (form, visit)
    }

    /// `/dev/mailbox`: only in development mode (404 otherwise, like any unknown page).
    func addMailboxRoute(to router: Router<ServerRequestContext>) {
        guard let mailbox else { return }
        let pages = pages
        router.get("/dev/mailbox") { _, _ in
            let messages = try mailbox.messages(limit: 50).map { message -> [String: Any] in
                [
                    "subject": message.email.subject ?? "(no subject)", "to": message.destination,
                    "channel": message.channel == .sms ? "Text message" : "Email",
                    "date": message.email.header("Date") ?? "", "body": message.email.body,
                ]
            }
            var values: [String: Any] = ["folder": mailbox.folder, "messages": messages, "hasMessages": !messages.isEmpty]
            values["wide"] = true
            return pages.page("mailbox", values)
        }
    }
}
