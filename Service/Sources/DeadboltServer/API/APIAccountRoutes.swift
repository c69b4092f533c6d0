import DeadboltSignIn
import Foundation
import HTTPTypes
import Hummingbird

/// A signed-in API call's session, token and client.
struct APISession {
    let session: AuthenticatedSession
    let client: ClientContext
}

extension ServerRuntime {
    /// The session of an API call: `Authorization: Bearer TOKEN`, or the session cookie (then, on anything but a
    /// read, `X-CSRF-Token` must carry the session's CSRF token).
    func apiSession(_ request: Request, _ context: ServerRequestContext) async throws -> APISession {
        let token: SessionToken
        if let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            guard let bearer = SessionToken(text: String(authorization.dropFirst("Bearer ".count))) else {
                throw Problem(.unauthenticated, "The bearer token is not a session token.")
            }
            token = bearer
        } else if let text = BrowserCookie.session.value(in: request), let cookie = SessionToken(text: text) {
            if !OriginCheckMiddleware.isSafe(request.method),
                !isValidSessionCSRF(request.headers[.csrfToken], for: cookie)
            {
                throw Problem(.crossSiteRequest, "A cookie-authenticated call needs the session's X-CSRF-Token.")
            }
            token = cookie
        } else {
            throw Problem(.unauthenticated, "Send Authorization: Bearer with a session token.")
        }
        let client = try clientContext(
            request, context,
            browserID: request.headers[.deadboltClient] ?? BrowserCookie.browser.value(in: request)
                ?? "api-client-without-id",
            device: nil)
        let session = try await mappingErrors { try await system.sessions.authenticate(token, client: client) }
        return APISession(session: session, client: client)
    }

    func addAPIAccountRoutes(to router: RouterGroup<ServerRequestContext>) {
        router.get("/account") { request, context in
            let signed = try await apiSession(request, context)
            let overview = try await mappingErrors { try await system.account.overview(signed.session) }
            return try json(
                APIModels.Account(
                    email: overview.email.address, state: overview.state.rawValue,
                    access: signed.session.summary.access.rawValue,
                    phone: overview.maskedPhone,
                    authenticators: overview.authenticators.map {
                        .init(id: $0.id.rawValue, label: $0.label, createdAt: $0.createdAt.millisecondsSinceEpoch)
                    },
                    recoveryCodesLeft: overview.recoveryCodesLeft,
                    identityVerifiedAt: overview.identityVerifiedAt?.millisecondsSinceEpoch))
        }
        router.get("/account/sessions") { request, context in
            let signed = try await apiSession(request, context)
            let sessions = try await mappingErrors { try await system.sessions.list(signed.session) }
            return try json(
                APIModels.Sessions(
                    sessions: sessions.map {
                        .init(
                            id: $0.id.rawValue, device: $0.deviceLabel, network: $0.network?.description,
                            createdAt: $0.createdAt.millisecondsSinceEpoch,
                            lastSeenAt: $0.lastSeenAt.millisecondsSinceEpoch,
                            current: $0.id == signed.session.summary.id)
                    }))
        }
        router.post("/account/sessions/end") { request, context in
            let signed = try await apiSession(request, context)
            let body = try await bodies.json(APIModels.Identified.self, request)
            guard let id = SessionID(rawValue: body.id) else {
                throw Problem(.invalidField, "id is a session id.", field: "id")
            }
            try await mappingErrors { try await system.sessions.end(signed.session, id: id, client: signed.client) }
            return Response(status: .noContent)
        }
        router.get("/account/activity") { request, context in
            let signed = try await apiSession(request, context)
            let cursor = Self.activityCursor(request.uri.queryParameters.get("after"))
            let page = try await mappingErrors {
                try await system.account.activity(signed.session, after: cursor, limit: 50)
            }
            return try json(
                APIModels.Activity(
                    entries: page.entries.map {
                        .init(
                            kind: $0.kind.rawValue, at: $0.at.millisecondsSinceEpoch, device: $0.deviceLabel,
                            network: $0.network?.description)
                    },
                    next: page.next.map { "\($0.at.millisecondsSinceEpoch).\($0.id.rawValue)" }))
        }
        router.get("/account/devices") { request, context in
            let signed = try await apiSession(request, context)
            let devices = try await mappingErrors { try await system.sessions.devices(signed.session) }
            return try json(
                APIModels.Devices(
                    devices: devices.map {
                        .init(
                            id: $0.id.rawValue, label: $0.label, createdAt: $0.createdAt.millisecondsSinceEpoch,
                            lastUsedAt: $0.lastUsedAt.millisecondsSinceEpoch,
                            expiresAt: $0.expiresAt.millisecondsSinceEpoch)
                    }))
        }
        router.post("/account/devices/forget") { request, context in
            let signed = try await apiSession(request, context)
            let body = try await bodies.json(APIModels.Identified.self, request)
            guard let id = DeviceID(rawValue: body.id) else {
                throw Problem(.invalidField, "id is a device id.", field: "id")
            }
            try await mappingErrors {
                try await system.sessions.forgetDevice(signed.session, id: id, client: signed.client)
            }
            return Response(status: .noContent)
        }
        addAPICredentialRoutes(to: router)
        router.post("/sign-out") { request, context in
            let signed = try await apiSession(request, context)
            try await mappingErrors { try await system.sessions.signOut(signed.session, client: signed.client) }
            return Response(status: .noContent)
        }
        router.post("/sign-out-everywhere") { request, context in
            let signed = try await apiSession(request, context)
            try await mappingErrors {
                try await system.sessions.signOutEverywhere(signed.session, client: signed.client)
            }
            return Response(status: .noContent)
        }
    }
}
