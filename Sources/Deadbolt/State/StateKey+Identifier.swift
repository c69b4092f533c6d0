extension StateKey {
    /// A key whose scope is any identifier (an account id, a source address, a client-chosen string):
    /// `%`, `{` and `}` are percent-escaped, so no identifier can break the rendered key or pick its own
    /// Redis Cluster hash tag, and two different identifiers never share a scope.
    ///
    /// - Throws: ``StateStoreError/invalidKey(_:)`` when `identifier` is empty or its escaped form is longer than
    ///   ``maximumComponentLength`` bytes, or when `namespace` or `name` is invalid.
    public init(namespace: String, identifier: String, name: String = "") throws {
        try self.init(namespace: namespace, scope: Self.escaping(identifier), name: name)
    }

    /// `text` with `%`, `{` and `}` written as `%25`, `%7B` and `%7D`.
    static func escaping(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") })
        else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 8)
        for character in text.unicodeScalars {
            switch character {
            case "%": escaped += "%25"
            case "{": escaped += "%7B"
            case "}": escaped += "%7D"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }
}
