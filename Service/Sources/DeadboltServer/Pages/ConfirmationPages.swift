import DeadboltSignIn
import Hummingbird

extension ServerRuntime {
    /// "Enter your password and PIN again": a change to how the person signs in (PIN, password, phone, authenticator, recovery codes,
    /// deletion) needs a sign-in within the last 15 minutes; past that, the password and the PIN again, inside the
    /// session (``Sessions/reauthenticate(_:password:pin:client:)``), counted in the sign-in lockout budgets.
    func addConfirmationPages(to router: RouterGroup<ServerRequestContext>) {
        router.get("/account/confirm") { request, context in
            guard let signed = try await signedInVisit(request, context) else { return Self.toSignIn }
            return pages.page("form", Self.confirmationForm().values(csrf: signed.csrf, signedIn: true))
        }
        router.post("/account/confirm") { request, context in
            guard let (form, signed) = try await signedInForm(request, context) else { return Self.toSignIn }
            let answer = try await mappingErrors {
                try await system.sessions.reauthenticate(
                    signed.session, password: form["password"] ?? "", pin: form["pin"] ?? "", client: signed.client)
            }
            switch answer {
            case .reauthenticated:
                return try await accountPage(
                    signed, notice: "Thank you. For the next 15 minutes you can change how you sign in.")
            case .wrongPassword:
                return pages.page(
                    "form",
                    Self.confirmationForm(passwordErrors: ["That password is not right."])
                        .values(csrf: signed.csrf, signedIn: true))
            case .wrongPIN:
                return pages.page(
                    "form",
                    Self.confirmationForm(pinErrors: ["That PIN is not right."]).values(csrf: signed.csrf, signedIn: true))
            case .locked(let retryAfter):
                return lockedPage(retryAfter)
            case .hardLocked:
                return hardLockedPage()
            }
        }
    }

    /// The form that confirms it is the person, also shown in place of a change that needs it.
    static func confirmationForm(passwordErrors: [String] = [], pinErrors: [String] = []) -> FormPage {
        FormPage(
            heading: "Enter your password and PIN again", action: "/account/confirm", submit: "Confirm",
            intro:
                "For your security, changes to how you sign in need your password and PIN if you signed in more than 15 minutes ago. Then make the change again.",
            // The first field with an error takes the focus (a field with errors always asks for it).
            fields: [
                .password(errors: passwordErrors, autofocus: pinErrors.isEmpty), .pin(errors: pinErrors, autofocus: false),
            ],
            links: [("/account", "Back to your account")])
    }
}
