/// One form page of a flow (the generic `form` template): a heading, optional notice or alert, fields with their
/// errors tied to them (`aria-describedby`, `aria-invalid`), an optional set of radio choices and one checkbox, and
/// a submit button. Every page carries the CSRF token; PIN and code fields are never pre-filled.
struct FormPage {
    var heading: String
    var action: String
    var submit: String
    var intro: String? = nil
    var notice: String? = nil
    var alert: String? = nil
    var fields: [Field] = []
    var choicesLegend: String? = nil
    var choicesName: String = "choice"
    var choices: [(value: String, label: String)] = []
    var choicesError: String? = nil
    var checkbox: (name: String, label: String)? = nil
    var links: [(href: String, label: String)] = []
    var back: String? = nil
    var afterForm: String? = nil
    /// Hidden fields (never a secret: the step token travels in its cookie).
    var hidden: [(name: String, value: String)] = []

    /// One input.
    struct Field {
        var name: String
        var label: String
        var type: String = "text"
        var autocomplete: String? = nil
        var inputmode: String? = nil
        var hint: String? = nil
        var errors: [String] = []
        var value: String? = nil
        var maxlength: Int? = nil
        var autofocus: Bool = false
        var short: Bool = false

        /// An email field.
        static func email(_ value: String? = nil, errors: [String] = [], autofocus: Bool = true) -> Field {
            Field(
                name: "email", label: "Email address", type: "email", autocomplete: "username", errors: errors,
                value: value, maxlength: 254, autofocus: autofocus)
        }

        /// A password field (`current-password` or `new-password`).
        static func password(
            name: String = "password", label: String = "Password", new: Bool = false, hint: String? = nil,
            errors: [String] = [], autofocus: Bool = true
        ) -> Field {
            Field(
                name: name, label: label, type: "password", autocomplete: new ? "new-password" : "current-password",
                hint: hint, errors: errors, maxlength: 1024, autofocus: autofocus)
        }

        /// A PIN field: digits on a phone's keypad, never pre-filled, never saved by the browser as a password.
        static func pin(
            name: String = "pin", label: String = "PIN", hint: String? = nil, errors: [String] = [],
            autofocus: Bool = true
        ) -> Field {
            Field(
                name: name, label: label, type: "password", autocomplete: "one-time-code", inputmode: "numeric",
                hint: hint, errors: errors, maxlength: 6, autofocus: autofocus, short: true)
        }

        /// A one-time code field.
        static func code(label: String = "Code", hint: String? = nil, errors: [String] = [], maxlength: Int = 6)
            -> Field
        {
            Field(
                name: "code", label: label, type: "text", autocomplete: "one-time-code", inputmode: "numeric",
                hint: hint, errors: errors, maxlength: maxlength, autofocus: true, short: true)
        }

        /// The operator's re-enrollment code (`XXXX-XXXX-XXXXX`, letters and digits; dashes and case are ignored).
        static func reenrollmentCode(errors: [String] = []) -> Field {
            Field(
                name: "reenrollment-code", label: "Re-enrollment code", type: "text", autocomplete: "off",
                hint: "13 letters and digits; dashes are optional.", errors: errors, maxlength: 64, autofocus: true)
        }

        var values: [String: Any] {
            let id = "field-" + name
            var describedBy: [String] = []
            if hint != nil { describedBy.append(id + "-hint") }
            if !errors.isEmpty { describedBy.append(id + "-error") }
            var values: [String: Any] = [
                "id": id, "name": name, "label": label, "type": type, "errors": errors, "hasErrors": !errors.isEmpty,
                "autofocus": autofocus || !errors.isEmpty, "required": true,
            ]
            if let autocomplete { values["autocomplete"] = autocomplete }
            if let inputmode { values["inputmode"] = inputmode }
            if let hint { values["hint"] = hint }
            if let value, type != "password" { values["value"] = value }
            if let maxlength { values["maxlength"] = maxlength }
            if !describedBy.isEmpty { values["describedBy"] = describedBy.joined(separator: " ") }
            if short { values["class"] = "short" }
            return values
        }
    }

    /// The template's values, with the page's CSRF token and the signed-in state.
    func values(csrf: String, signedIn: Bool) -> [String: Any] {
        // Only the first field with an error takes focus, so the person lands on what to fix.
        var focused = false
        let fieldValues = fields.map { field -> [String: Any] in
            var values = field.values
            let wantsFocus = values["autofocus"] as? Bool ?? false
            values["autofocus"] = wantsFocus && !focused
            if wantsFocus { focused = true }
            return values
        }
        var values: [String: Any] = [
            "heading": heading, "action": action, "submit": submit, "csrf": csrf, "signedIn": signedIn,
            "fields": fieldValues, "hasChoices": !choices.isEmpty, "choicesName": choicesName,
            "choices": choices.map { ["value": $0.value, "label": $0.label, "name": choicesName] as [String: Any] },
            "links": links.map { ["href": $0.href, "label": $0.label] },
            "hidden": hidden.map { ["name": $0.name, "value": $0.value] },
        ]
        if let intro { values["intro"] = intro }
        if let notice { values["notice"] = notice }
        if let alert { values["alert"] = alert }
        if let choicesLegend { values["choicesLegend"] = choicesLegend }
        if let choicesError { values["choicesError"] = choicesError }
        if let checkbox { values["checkbox"] = ["name": checkbox.name, "label": checkbox.label] }
        if let back { values["back"] = back }
        if let afterForm { values["afterForm"] = afterForm }
        return values
    }
}
