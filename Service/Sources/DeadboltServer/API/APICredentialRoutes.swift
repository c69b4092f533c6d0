import DeadboltSignIn
import Hummingbird

extension ServerRuntime {
    /// The sensitive changes of a signed-in API client: confirming it is the person (password and PIN again), then
    /// a new PIN or password, new recovery codes, or deleting the account. Each change answers
    /// `reauthentication-required` past ``SignInConfiguration/reauthenticationWindow`` since the last sign-in or
    /// confirmation, as the pages do.
    func addAPICredentialRoutes(to router: RouterGroup<ServerRequestContext>) {
        router.post("/account/reauthenticate") { request, context in
            let signed = try await apiSession(request, context)
            let body = try await bodies.json(APIModels.Reauthentication.self, request)
            let answer = try await mappingErrors {
                try await system.sessions.reauthenticate(
                    signed.session, password: body.password, pin: body.pin, client: signed.client)
            }
            switch answer {
            case .reauthenticated(let until):
                return try json(APIModels.Reauthenticated(until: until.millisecondsSinceEpoch))
            case .wrongPassword:
                throw Problem(.wrongCredentials, "That password is not right.", field: "password")
            case .wrongPIN:
                throw Problem(.wrongCredentials, "That PIN is not right.", field: "pin")
            case .locked(let retryAfter):
                throw Problem.locked(retryAfter: retryAfter)
            case .hardLocked:
                throw Problem(.locked, "This account is locked until its PIN is reset.")
            }
        }
        router.post("/account/pin") { request, context in
            let signed = try await apiSession(request, context)
            let body = try await bodies.json(APIModels.NewPIN.self, request)
            return try await credentialChanged(
                mappingErrors { try await system.account.changePIN(signed.session, newPIN: body.pin, client: signed.client) })
        }
        router.post("/account/password") { request, context in
            let signed = try await apiSession(request, context)
            let body = try await bodies.json(APIModels.NewPassword.self, request)
            return try await credentialChanged(
                mappingErrors {
                    try await system.account.changePassword(
                        signed.session, newPassword: body.password, client: signed.client)
                })
        }
        router.post("/account/recovery-codes") { request, context in
            let signed = try await apiSession(request, context)
            let codes = try await mappingErrors {
                try await system.account.generateRecoveryCodes(signed.session, client: signed.client)
            }
            return try json(APIModels.RecoveryCodes(codes: codes))
        }
        router.post("/account/delete") { request, context in
            let signed = try await apiSession(request, context)
            try await mappingErrors { try await system.account.delete(signed.session, client: signed.client) }
            return Response(status: .noContent)
        }
    }

    /// 204 for a changed PIN or password; a refused one is `credential-refused` with every rule it breaks.
    func credentialChanged(_ answer: CredentialChangeAnswer) throws -> Response {
        switch answer {
        case .changed:
            return Response(status: .noContent)
        case .pinRefused(let violations):
            throw Problem.refused(violations)
        case .passwordRefused(let violations):
            throw Problem.refused(violations)
        }
    }
}
