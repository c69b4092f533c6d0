import Deadbolt
import DeadboltSignIn
import Foundation
import HTTPTypes
import Hummingbird

/// A signed-in page request: the session, its token (for the CSRF token), who is asking, and the browser.
struct SignedInVisit {
    let session: AuthenticatedSession
    let token: SessionToken
    let client: ClientContext
    let visit: BrowserVisit
    let csrf: String
}

extension ServerRuntime {
    /// The signed-in visit of `request`, or `nil` when there is no live session (the caller redirects to sign-in).
    func signedInVisit(_ request: Request, _ context: ServerRequestContext) async throws -> SignedInVisit? {
        let visit = try BrowserVisit(request)
        guard let text = BrowserCookie.session.value(in: request), let token = SessionToken(text: text) else {
            return nil
        }
        let client = try clientContext(
            request, context, browserID: visit.browserID, device: BrowserCookie.device.value(in: request))
        do {
            let session = try await mappingErrors { try await system.sessions.authenticate(token, client: client) }
            return SignedInVisit(session: session, token: token, client: client, visit: visit, csrf: sessionCSRF(token))
        } catch let problem as Problem where problem.kind == .unauthenticated {
            return nil
        }
    }

    /// A posted signed-in form whose CSRF token is the session's; `nil` when signed out.
    func signedInForm(_ request: Request, _ context: ServerRequestContext) async throws -> (FormFields, SignedInVisit)?
    {
        let form = try await bodies.form(request)
        guard let signed = try await signedInVisit(request, context) else { return nil }
        guard isValidSessionCSRF(form["csrf"], for: signed.token) else {
            throw Problem(
                .crossSiteRequest,
                "This form has expired or did not come from this site. Go back, reload the page and try again.")
        }
        return (form, signed)
    }

    static var toSignIn: Response {
        var response = Response(status: .seeOther, headers: [.location: "/sign-in"])
        response.headers.append(HTTPField(name: .setCookie, value: BrowserCookie.session.clear))
        return response
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// Runs a signed-in action; a sensitive change without a recent sign-in gets the password-and-PIN confirmation instead.
    func accountAction(
        _ request: Request, _ context: ServerRequestContext,
        _ action: (FormFields, SignedInVisit) async throws -> Response
    ) async throws -> Response {
        guard let (form, signed) = try await signedInForm(request, context) else { return Self.toSignIn }
        do {
            return try await mappingErrors { try await action(form, signed) }
        } catch let problem as Problem where problem.kind == .reauthenticationRequired {
            return pages.page("form", Self.confirmationForm().values(csrf: signed.csrf, signedIn: true))
        }
    }

    /// The account pages: overview, sessions and devices, second factors, activity, sign out, delete.
    func addAccountPages(to router: RouterGroup<ServerRequestContext>) {
        router.get("/account") { request, context in
            guard let signed = try await signedInVisit(request, context) else { return Self.toSignIn }
            return try await accountPage(signed, notice: nil)
        }
        router.post("/account/sessions/end") { request, context in
            try await accountAction(request, context) { form, signed in
                guard let id = SessionID(rawValue: form["id"] ?? "") else {
                    throw Problem(.invalidField, "Choose a session.", field: "id")
                }
                try await system.sessions.end(signed.session, id: id, client: signed.client)
                return try await accountPage(signed, notice: "That session has ended.")
            }
        }
        router.post("/account/devices/forget") { request, context in
            try await accountAction(request, context) { form, signed in
                guard let id = DeviceID(rawValue: form["id"] ?? "") else {
                    throw Problem(.invalidField, "Choose a device.", field: "id")
                }
                try await system.sessions.forgetDevice(signed.session, id: id, client: signed.client)
                return try await accountPage(signed, notice: "That device is forgotten.")
            }
        }
        router.post("/sign-out") { request, context in
            guard let (_, signed) = try await signedInForm(request, context) else { return Self.toSignIn }
            try await mappingErrors { try await system.sessions.signOut(signed.session, client: signed.client) }
            var response = messagePage(
                "You are signed out", ["You have signed out of this browser."], button: ("/sign-in", "Sign in"))
            response.headers.append(HTTPField(name: .setCookie, value: BrowserCookie.session.clear))
            return response
        }
        router.post("/sign-out-everywhere") { request, context in
            guard let (_, signed) = try await signedInForm(request, context) else { return Self.toSignIn }
            try await mappingErrors {
                try await system.sessions.signOutEverywhere(signed.session, client: signed.client)
            }
            var response = messagePage(
                "You are signed out everywhere",
                ["Every session on your account has ended, on every device, this one included."],
                button: ("/sign-in", "Sign in"))
            response.headers.append(HTTPField(name: .setCookie, value: BrowserCookie.session.clear))
            return response
        }
        router.get("/account/activity") { request, context in
            guard let signed = try await signedInVisit(request, context) else { return Self.toSignIn }
            let cursor = Self.activityCursor(request.uri.queryParameters.get("after"))
            let page = try await mappingErrors {
                try await system.account.activity(signed.session, after: cursor, limit: 20)
            }
            let entries = page.entries.map { entry -> [String: Any] in
                var values: [String: Any] = [
                    "when": WaitText.date(entry.at), "what": Self.describe(entry.kind), "csrf": signed.csrf,
                    "device": entry.deviceLabel ?? (entry.network == nil ? "The service's staff" : "Unknown device"),
                ]
                if let network = entry.network { values["network"] = network.description }
                return values
            }
            var values: [String: Any] = ["entries": entries, "csrf": signed.csrf, "signedIn": true, "wide": true]
            if let next = page.next { values["next"] = "\(next.at.millisecondsSinceEpoch).\(next.id.rawValue)" }
            return pages.page("activity", values)
        }
        router.post("/account/not-me") { request, context in
            guard let (_, signed) = try await signedInForm(request, context) else { return Self.toSignIn }
            let answer = try await mappingErrors {
                try await system.account.reportNotMe(signed.session, client: signed.client)
            }
            var response = recoveryAnswerPage(answer, kind: .notMe, visit: signed.visit)
            response.headers.append(HTTPField(name: .setCookie, value: BrowserCookie.session.clear))
            return response
        }
        addFactorPages(to: router)
        addConfirmationPages(to: router)
    }

    /// `at.id`, the activity page's position (not a secret: a time and a row id).
    static func activityCursor(_ text: String?) -> ActivityCursor? {
        guard let text, text.utf8.count <= 64 else { return nil }
        let parts = text.split(separator: ".")
        guard parts.count == 2, let at = Int64(parts[0]), let id = ActivityID(rawValue: String(parts[1])) else {
            return nil
        }
        return ActivityCursor(at: Timestamp(millisecondsSinceEpoch: at), id: id)
    }

    func accountPage(_ signed: SignedInVisit, notice: String?) async throws -> Response {
        let overview = try await mappingErrors { try await system.account.overview(signed.session) }
        let sessions = try await mappingErrors { try await system.sessions.list(signed.session) }
        let devices = try await mappingErrors { try await system.sessions.devices(signed.session) }
        var values: [String: Any] = [
            "email": overview.email.address, "pending": signed.session.summary.access == .identityVerificationPending,
            "csrf": signed.csrf, "signedIn": true, "wide": true, "recoveryCodesLeft": overview.recoveryCodesLeft,
            "hasRecoveryCodes": overview.recoveryCodesLeft > 0,
            "authenticators": overview.authenticators.map {
                ["id": $0.id.rawValue, "label": $0.label, "added": WaitText.date($0.createdAt), "csrf": signed.csrf]
            },
            "sessions": sessions.map { session -> [String: Any] in
                [
                    "id": session.id.rawValue,
                    "device": session.deviceLabel.isEmpty ? "Unknown device" : session.deviceLabel,
                    "network": session.network?.description ?? "unknown", "lastSeen": WaitText.date(session.lastSeenAt),
                    "current": session.id == signed.session.summary.id, "csrf": signed.csrf,
                ]
            },
            "devices": devices.map {
                ["id": $0.id.rawValue, "label": $0.label, "expires": WaitText.date($0.expiresAt), "csrf": signed.csrf]
            },
            "hasDevices": !devices.isEmpty,
        ]
        if let phone = overview.maskedPhone { values["phone"] = phone }
        if let notice { values["notice"] = notice }
        return pages.page("account", values)
    }

    /// What an activity entry says.
    static func describe(_ kind: ActivityKind) -> String {
        switch kind {
        case .accountCreated: "Account created"
        case .signedIn: "Signed in"
        case .signedInNewDevice: "Signed in from a new device or network"
        case .passwordFailed: "Wrong password"
        case .pinFailed: "Wrong PIN"
        case .secondFactorFailed: "Wrong code"
        case .locked: "Locked after too many wrong tries"
        case .hardLocked: "Locked until the PIN is reset"
        case .unlocked: "Unlocked"
        case .pinChanged: "PIN set or changed"
        case .passwordChanged: "Password changed"
        case .phoneChanged: "Phone changed"
        case .authenticatorAdded: "Authenticator app added"
        case .authenticatorRemoved: "Authenticator app removed"
        case .recoveryCodesGenerated: "New recovery codes made"
        case .recoveryCodeUsed: "Recovery code used"
        case .sessionEnded: "Session ended"
        case .allSessionsEnded: "Signed out everywhere"
        case .deviceForgotten: "Remembered device forgotten"
        case .allDevicesForgotten: "All remembered devices forgotten"
        case .identityVerified: "Identity verified"
        case .reportedNotMe: "Reported “this wasn't me”"
        }
    }
}
