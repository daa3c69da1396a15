import HTTPTypes

/// The header names the API reads and writes beyond HTTPTypes' own, made once: the failable
/// initializer validates the token on every call, and these are used on every request.
extension HTTPField.Name {
    // Literal, valid tokens: the initializer cannot fail for them.
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let xMinPosition = HTTPField.Name("X-Min-Position")!
    static let xRequestId = HTTPField.Name("X-Request-Id")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let xLogPosition = HTTPField.Name("X-Log-Position")!
    static let xReadPosition = HTTPField.Name("X-Read-Position")!
}

extension HTTPFields {
    /// What `self[name]` answers (several fields of that name joined with ", "), without
    /// building an array and a joined string for the usual single field — `self[name]` did
    /// that on every read, a few per request.
    func single(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            guard found == nil else { return self[name] }
            found = field.value
        }
        return found
    }
}
