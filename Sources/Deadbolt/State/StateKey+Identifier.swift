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

    /// The same key as ``init(namespace:identifier:name:)`` for a `namespace` and `name` the caller has already
    /// checked once (a constant namespace, a purpose checked when the limiter was made): only the identifier is
    /// escaped and checked. `RateLimiter` builds a key on every decision, and re-checking the two fixed components
    /// byte by byte was a measurable part of it.
    init(checkedNamespace namespace: String, identifier: String, checkedName name: String) throws(StateStoreError) {
        let scope = Self.escaping(identifier)
        // The escaped form holds no brace, so only the length is left to check.
        guard !scope.isEmpty, scope.utf8.count <= Self.maximumComponentLength else {
            throw StateStoreError.invalidKey("scope must be 1 to \(Self.maximumComponentLength) bytes without braces")
        }
        self.namespace = namespace
        self.scope = scope
        self.name = name
    }

    /// `text` with `%`, `{` and `}` written as `%25`, `%7B` and `%7D`.
    static func escaping(_ text: String) -> String {
        guard text.utf8.anySatisfies({ $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "{") || $0 == UInt8(ascii: "}") })
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

extension String.UTF8View {
    /// `contains(where:)` over the contiguous bytes when the string has them (every native string does): a plain
    /// loop over a buffer instead of `UTF8View`'s iterator, whose scans of each new key were nearly 4% of the limits
    /// benchmark's profile.
    func anySatisfies(_ predicate: (UInt8) -> Bool) -> Bool {
        withContiguousStorageIfAvailable { $0.contains(where: predicate) } ?? contains(where: predicate)
    }
}
