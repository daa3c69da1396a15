import CanonicalJSON

/// A point in time, milliseconds since the Unix epoch; RFC 3339 UTC in JSON.
///
/// Deciders never read a clock: every command carries its `now`.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let millis: Int64

    public init(millis: Int64) {
        self.millis = millis
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.millis < b.millis }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(millis: millis + seconds * 1000) }

    /// `2026-11-25T08:00:00.123Z`
    public var rfc3339: String { RFC3339.format(millis: millis) }
    /// `2026-11-25T08:00:00Z`, as the HTTP API prints times.
    public var rfc3339Seconds: String { RFC3339.formatSeconds(millis: millis) }
    /// `2026-11-25`, the UTC day.
    public var day: String { RFC3339.formatDay(millis: millis) }
    public var unixSeconds: Int64 { millis >= 0 ? millis / 1000 : (millis - 999) / 1000 }
    public var description: String { rfc3339 }

    public init?(rfc3339 text: String) {
        guard let millis = RFC3339.parse(text) else { return nil }
        self.millis = millis
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let millis = RFC3339.parse(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an RFC 3339 time: \(text)"))
        }
        self.millis = millis
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }
}
