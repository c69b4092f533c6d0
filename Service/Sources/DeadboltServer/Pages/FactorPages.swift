import Deadbolt
import DeadboltSignIn
import HTTPTypes
import Hummingbird

extension ServerRuntime {
    /// Second factors on the account: the authenticator app (QR as inline SVG), recovery codes (shown once), the
    /// phone, and deleting the account.
    func addFactorPages(to router: RouterGroup<ServerRequestContext>) {
        router.get("/account/authenticator") { request, context in
            guard let signed = try await signedInVisit(request, context) else { return Self.toSignIn }
            let form = FormPage(
                heading: "Set up an authenticator app", action: "/account/authenticator", submit: "Show the QR code",
                intro:
                    "An authenticator app on your phone makes a new 6-digit code every 30 seconds. You can use it instead of a text or email code when you sign in on a new device.",
                links: [("/account", "Back to your account")])
            return pages.page("form", form.values(csrf: signed.csrf, signedIn: true))
        }
        router.post("/account/authenticator") { request, context in
            try await accountAction(request, context) { _, signed in
                let enrollment = try await system.account.beginAuthenticatorEnrollment(
                    signed.session, client: signed.client)
                return withStep(enrollment.token, authenticatorPage(enrollment, csrf: signed.csrf))
            }
        }
        router.post("/account/authenticator/confirm") { request, context in
            try await accountAction(request, context) { form, signed in
                guard let text = BrowserCookie.step.value(in: request), let token = StepToken(text: text) else {
                    throw Problem(.stepExpired, "This step has expired. Please start again.")
                }
                let answer = try await system.account.confirmAuthenticator(
                    signed.session, token: token, code: form.trimmed("code") ?? "", label: "Authenticator app",
                    client: signed.client)
                switch answer {
                case .authenticatorAdded:
                    return clearingStep(try await accountPage(signed, notice: "Your authenticator app is set up."))
                case .wrongCode:
                    return messagePage(
                        "That code did not work",
                        [
                            "The code from the app was not right. Start again to see a new QR code; make sure your phone's clock is set automatically."
                        ],
                        alert: "The code was not right.", button: ("/account/authenticator", "Start again"),
                        signedIn: true, csrf: signed.csrf)
                case .locked(let retryAfter):
                    return retryAfter.map { lockedPage($0) } ?? hardLockedPage()
                case .tryLater(let retryAfter):
                    return tryLaterPage(retryAfter)
                case .codeSent, .phoneChanged:
                    return Self.redirect("/account")
                }
            }
        }
        router.post("/account/authenticator/remove") { request, context in
            try await accountAction(request, context) { form, signed in
                guard let id = AuthenticatorID(rawValue: form["id"] ?? "") else {
                    throw Problem(.invalidField, "Choose an authenticator.", field: "id")
                }
                try await system.account.removeAuthenticator(signed.session, id: id, client: signed.client)
                return try await accountPage(signed, notice: "The authenticator app was removed.")
            }
        }
        router.post("/account/recovery-codes") { request, context in
            try await accountAction(request, context) { _, signed in
                let codes = try await system.account.generateRecoveryCodes(signed.session, client: signed.client)
                return pages.page("recovery-codes", ["codes": codes, "csrf": signed.csrf, "signedIn": true])
            }
        }
        router.get("/account/phone") { request, context in
            guard let signed = try await signedInVisit(request, context) else { return Self.toSignIn }
            return pages.page("form", Self.phoneForm().values(csrf: signed.csrf, signedIn: true))
        }
        router.post("/account/phone") { request, context in
            try await accountAction(request, context) { form, signed in
                let answer = try await system.account.beginPhoneChange(
                    signed.session, phoneNumber: form.trimmed("phone") ?? "", client: signed.client)
                return phoneAnswerPage(answer, signed: signed)
            }
        }
        router.post("/account/phone/confirm") { request, context in
            try await accountAction(request, context) { form, signed in
                guard let text = BrowserCookie.step.value(in: request), let token = StepToken(text: text) else {
                    throw Problem(.stepExpired, "This step has expired. Please start again.")
                }
                let answer = try await system.account.confirmPhoneChange(
                    signed.session, token: token, code: form.trimmed("code") ?? "", client: signed.client)
                return phoneAnswerPage(answer, signed: signed)
            }
        }
        router.get("/account/delete") { request, context in
            guard let signed = try await signedInVisit(request, context) else { return Self.toSignIn }
            let form = FormPage(
                heading: "Delete your account", action: "/account/delete", submit: "Delete my account",
                alert: "This cannot be undone. Your account, its sessions, devices, codes and activity are removed.",
                links: [("/account", "Keep my account")])
            return pages.page("form", form.values(csrf: signed.csrf, signedIn: true))
        }
        router.post("/account/delete") { request, context in
            try await accountAction(request, context) { _, signed in
                try await system.account.delete(signed.session, client: signed.client)
                var response = messagePage(
                    "Your account is deleted", ["We sent a last notice to your email address."],
                    button: ("/", "Start page"))
                response.headers.append(HTTPField(name: .setCookie, value: BrowserCookie.session.clear))
                response.headers.append(HTTPField(name: .setCookie, value: BrowserCookie.device.clear))
                return response
            }
        }
    }

    static func phoneForm(errors: [String] = []) -> FormPage {
        FormPage(
            heading: "Your phone number", action: "/account/phone", submit: "Send a code",
            intro: "We send a code to the new number to check it, and a notice to your email.",
            fields: [
                FormPage.Field(
                    name: "phone", label: "Mobile phone number", type: "tel", autocomplete: "tel",
                    hint: "With the country code, such as +1 202 555 0143.", errors: errors, maxlength: 32,
                    autofocus: true)
            ],
            links: [("/account", "Back to your account")])
    }

    func phoneAnswerPage(_ answer: FactorChangeAnswer, signed: SignedInVisit) -> Response {
        switch answer {
        case .codeSent(let token, let destination):
            let form = FormPage(
                heading: "Enter the code", action: "/account/phone/confirm", submit: "Confirm",
                notice: "We sent a 6-digit code to \(Self.text(destination)).", fields: [.code()])
            return withStep(token, pages.page("form", form.values(csrf: signed.csrf, signedIn: true)))
        case .phoneChanged, .authenticatorAdded:
            return clearingStep(Self.redirect("/account"))
        case .wrongCode:
            let form = FormPage(
                heading: "Enter the code", action: "/account/phone/confirm", submit: "Confirm",
                fields: [.code(errors: ["That code is not right, or it has expired."])])
            return pages.page("form", form.values(csrf: signed.csrf, signedIn: true))
        case .locked(let retryAfter):
            return retryAfter.map { lockedPage($0) } ?? hardLockedPage()
        case .tryLater(let retryAfter):
            return tryLaterPage(retryAfter)
        }
    }

    func authenticatorPage(_ enrollment: AuthenticatorEnrollment, csrf: String) -> Response {
        let uri = enrollment.uri.uri
        let secret = Self.secretText(fromURI: uri)
        let svg = QRCodeSVG.svg(encoding: uri, title: "QR code for your authenticator app") ?? ""
        return pages.page(
            "authenticator",
            [
                "qr": svg, "secret": secret, "csrf": csrf, "signedIn": true,
                "fields": [FormPage.Field.code(label: "Code from the app").values],
            ])
    }

    /// The base32 secret of an otpauth URI, grouped by four for typing.
    static func secretText(fromURI uri: String) -> String {
        guard let query = uri.split(separator: "?", maxSplits: 1).last else { return "" }
        for pair in query.split(separator: "&") where pair.hasPrefix("secret=") {
            let secret = pair.dropFirst("secret=".count)
            return stride(from: 0, to: secret.count, by: 4).map { offset in
                let start = secret.index(secret.startIndex, offsetBy: offset)
                let end = secret.index(start, offsetBy: 4, limitedBy: secret.endIndex) ?? secret.endIndex
                return String(secret[start..<end])
            }.joined(separator: " ")
        }
        return ""
    }
}
