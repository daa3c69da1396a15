public enum Role: String, Sendable, Codable {
    case customer
    case admin
}
