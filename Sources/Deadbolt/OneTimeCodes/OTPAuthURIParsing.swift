extension OTPAuthURI {
    /// Parses an `otpauth://` URI strictly.
    ///
    /// Accepted: the scheme and type in any case; a label `issuer:account` or `account`, percent-encoded, with
    /// optional spaces after the colon (Key-Uri-Format); parameters `secret` (required, base32, lenient as
    /// ``Base32/decode(_:)`` is), `issuer` (must equal the label's prefix when both are there), `algorithm`
    /// (SHA1, SHA256, SHA512, any case; default SHA1), `digits` (6–8, default 6), `period` (`totp` only, 1 to
    /// ``TOTP/maximumPeriod``, default 30), `counter` (`hotp` only, required), `image`. Values are percent-decoded,
    /// `+` in a value is a space (HTML form encoding, as URL libraries write queries). Unknown parameters are
    /// ignored, as apps ignore them, but a duplicate of any parameter is refused. Secrets down to 80 bits parse.
    /// - Throws: ``OTPAuthURIError`` naming the first thing wrong.
    public static func parse(_ text: String) throws -> OTPAuthURI {
        let bytes = Array(text.utf8)
        guard bytes.count <= maximumLength else { throw OTPAuthURIError.tooLong(maximum: maximumLength) }
        let scheme = Array("otpauth://".utf8)
        guard bytes.count > scheme.count, zip(bytes, scheme).allSatisfy({ lower($0) == $1 }) else {
            throw OTPAuthURIError.malformed("the scheme must be otpauth://")
        }
        guard !bytes.contains(UInt8(ascii: "#")) else { throw OTPAuthURIError.malformed("a fragment is not allowed") }
        let rest = bytes[scheme.count...]
        let questionMark = rest.firstIndex(of: UInt8(ascii: "?"))
        let path = rest[..<(questionMark ?? rest.endIndex)]
        guard let slash = path.firstIndex(of: UInt8(ascii: "/")) else {
            throw OTPAuthURIError.malformed("no label after the type")
        }
        let type = String(decoding: path[..<slash].map(lower), as: UTF8.self)
        guard type == "totp" || type == "hotp" else { throw OTPAuthURIError.unknownType }

        let label = try percentDecode(path[(slash + 1)...], plusIsSpace: false)
        var labelIssuer: String?
        var account = label
        if let colon = label.firstIndex(of: ":") {
            labelIssuer = String(label[..<colon])
            account = String(label[label.index(after: colon)...].drop(while: { $0 == " " }))
            guard labelIssuer?.isEmpty == false else { throw OTPAuthURIError.invalidIssuer }
        }
        guard !account.isEmpty else { throw OTPAuthURIError.missingAccountName }
        guard !account.contains(":") else { throw OTPAuthURIError.colonInName }

        var parameters: [String: String] = [:]
        if let questionMark {
            let query = rest[(questionMark + 1)...]
            for pair in query.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")), equals > pair.startIndex else {
                    throw OTPAuthURIError.malformedParameter
                }
                let name = try percentDecode(pair[..<equals], plusIsSpace: true)
                guard parameters[name] == nil else { throw OTPAuthURIError.duplicateParameter(name) }
                parameters[name] = try percentDecode(pair[(equals + 1)...], plusIsSpace: true)
            }
        }

        guard let encodedSecret = parameters["secret"], !encodedSecret.isEmpty else {
            throw OTPAuthURIError.missingSecret
        }
        guard var secretBytes = Base32.decode(encodedSecret) else { throw OTPAuthURIError.invalidSecret }
        let secret = SecretBytes(secretBytes)
        SecretBytes.wipe(&secretBytes)

        var issuer = labelIssuer
        if let parameter = parameters["issuer"] {
            guard !parameter.isEmpty else { throw OTPAuthURIError.invalidIssuer }
            if let labelIssuer, labelIssuer != parameter { throw OTPAuthURIError.issuerMismatch }
            issuer = parameter
        }

        var algorithm = HashFunction.sha1
        if let name = parameters["algorithm"] {
            guard let named = HashFunction(rawValue: name.uppercased()) else { throw OTPAuthURIError.unknownAlgorithm }
            algorithm = named
        }
        var digits = 6
        if let value = parameters["digits"] {
            guard let number = decimal(value), HOTP.digitRange.contains(Int(clamping: number)) else {
                throw OTPAuthURIError.invalidDigits
            }
            digits = Int(number)
        }

        let kind: Kind
        if type == "totp" {
            guard parameters["counter"] == nil else { throw OTPAuthURIError.parameterNotApplicable("counter") }
            var period = TOTP.defaultPeriod
            if let value = parameters["period"] {
                guard let number = decimal(value), number >= 1, number <= TOTP.maximumPeriod else {
                    throw OTPAuthURIError.invalidPeriod
                }
                period = number
            }
            kind = .totp(period: period)
        } else {
            guard parameters["period"] == nil else { throw OTPAuthURIError.parameterNotApplicable("period") }
            guard let value = parameters["counter"] else { throw OTPAuthURIError.missingCounter }
            guard let counter = decimal(value) else { throw OTPAuthURIError.invalidCounter }
            kind = .hotp(counter: counter)
        }
        return try OTPAuthURI(
            kind: kind, issuer: issuer, accountName: account, secret: secret, algorithm: algorithm, digits: digits,
            image: parameters["image"])
    }

    /// A non-negative decimal integer of ASCII digits only (no sign, no space) that fits 64 bits.
    private static func decimal(_ text: String) -> UInt64? {
        guard !text.isEmpty, text.utf8.count <= 20 else { return nil }
        var value: UInt64 = 0
        for character in text.utf8 {
            guard character >= UInt8(ascii: "0"), character <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(character - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    private static func lower(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// RFC 3986 §2.1 percent-decoding to UTF-8 text.
    private static func percentDecode(_ bytes: ArraySlice<UInt8>, plusIsSpace: Bool) throws -> String {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                    let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2])
                else { throw OTPAuthURIError.badPercentEncoding }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                index += 1
            }
        }
        guard let text = String(validating: output, as: UTF8.self) else { throw OTPAuthURIError.badPercentEncoding }
        return text
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
