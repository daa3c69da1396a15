/// RFC 3339 UTC timestamps from and to milliseconds since the Unix epoch.
///
/// Hand-rolled (Howard Hinnant's civil-date algorithms) because the writer stamps every batch
/// and the read models print thousands of times: Foundation's formatters are slower and their
/// output varies by platform.
public enum RFC3339 {
    /// `2026-11-25T08:00:00.123Z`
    public static func format(millis: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(24)
        write(millis: millis, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends what `format` returns, without making a string.
    public static func write(millis: Int64, into out: inout [UInt8]) {
        appendDateTime(millis: millis, into: &out)
        let ms = Int(((millis % 1000) + 1000) % 1000)
        out.append(UInt8(ascii: "."))
        append(ms, width: 3, into: &out)
        out.append(UInt8(ascii: "Z"))
    }

    /// `2026-11-25T08:00:00Z` (whole seconds, as the HTTP API prints times).
    public static func formatSeconds(millis: Int64) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(20)
        appendDateTime(millis: millis, into: &out)
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// `2026-11-25` (UTC day).
    public static func formatDay(millis: Int64) -> String {
        let (y, m, d) = civil(days: floorDiv(millis, 86_400_000))
        var out: [UInt8] = []
        append(Int(y), width: 4, into: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(m), width: 2, into: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(d), width: 2, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil when malformed.
    public static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<from + count {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let year = num(0, 4), b[4] == UInt8(ascii: "-"), let month = num(5, 2), b[7] == UInt8(ascii: "-"),
              let day = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = num(11, 2), b[13] == UInt8(ascii: ":"), let minute = num(14, 2), b[16] == UInt8(ascii: ":"),
              let second = num(17, 2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var index = 19
        var millis = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(b[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        var offsetMinutes = 0
        guard index < b.count else { return nil }
        if b[index] == UInt8(ascii: "Z") || b[index] == UInt8(ascii: "z") {
            index += 1
        } else if b[index] == UInt8(ascii: "+") || b[index] == UInt8(ascii: "-") {
            let sign = b[index] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = num(index + 1, 2), index + 3 < b.count, b[index + 3] == UInt8(ascii: ":"),
                  let om = num(index + 4, 2), oh < 24, om < 60 else { return nil }
            offsetMinutes = sign * (oh * 60 + om)
            index += 6
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        let days = daysFromCivil(year: Int64(year), month: Int64(month), day: Int64(day))
        let seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        return seconds * 1000 + Int64(millis)
    }

    /// Parses a `YYYY-MM-DD` day into the millisecond at its UTC midnight.
    public static func parseDay(_ text: String) -> Int64? {
        parse(text + "T00:00:00Z")
    }

    // MARK: - Civil calendar

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : (a - b + 1) / b
    }

    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    private static func appendDateTime(millis: Int64, into out: inout [UInt8]) {
        let days = floorDiv(millis, 86_400_000)
        let secondsOfDay = Int((millis - days * 86_400_000) / 1000)
        let (y, m, d) = civil(days: days)
        append(Int(y), width: 4, into: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(m), width: 2, into: &out)
        out.append(UInt8(ascii: "-"))
        append(Int(d), width: 2, into: &out)
        out.append(UInt8(ascii: "T"))
        append(secondsOfDay / 3600, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        append(secondsOfDay / 60 % 60, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        append(secondsOfDay % 60, width: 2, into: &out)
    }

    /// Appends the last `width` decimal digits of `value`, zero-padded — in place, since a
    /// temporary array per field (seven per timestamp) showed up in every profile.
    private static func append(_ value: Int, width: Int, into out: inout [UInt8]) {
        let start = out.count
        for _ in 0..<width { out.append(UInt8(ascii: "0")) }
        var v = value
        var i = start + width - 1
        while i >= start {
            out[i] = UInt8(ascii: "0") + UInt8(v % 10)
            v /= 10
            i -= 1
        }
    }
}
