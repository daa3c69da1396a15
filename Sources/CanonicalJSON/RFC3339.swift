/// RFC 3339 UTC timestamps from and to milliseconds since the Unix epoch.
///
/// Hand-rolled (Howard Hinnant's civil-date algorithms) because the writer stamps every batch
/// and the read models print thousands of times: Foundation's formatters are slower and their
/// output varies by platform.
public enum RFC3339 {
    /// `2026-11-25T08:00:00.123Z`
    public static func format(millis: Int64) -> String {
        String(unsafeUninitializedCapacity: 24) { buffer in
            put(millis: millis, into: UnsafeMutableRawBufferPointer(buffer))
            return 24
        }
    }

    /// Appends what `format` returns, without making a string.
    public static func write(millis: Int64, into out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { stamp in
            put(millis: millis, into: stamp)
            out.append(contentsOf: UnsafeRawBufferPointer(stamp))
        }
    }

    /// `write(millis:into:)` through a bounded writer.
    public static func write(millis: Int64, into out: inout BoundedWriter) {
        out.slot(24) { put(millis: millis, into: $0) }
    }

    /// `2026-11-25T08:00:00Z` (whole seconds, as the HTTP API prints times).
    public static func formatSeconds(millis: Int64) -> String {
        String(unsafeUninitializedCapacity: 20) { buffer in
            let stamp = UnsafeMutableRawBufferPointer(buffer)
            putDateTime(millis: millis, into: stamp)
            stamp[19] = UInt8(ascii: "Z")
            return 20
        }
    }

    /// `formatSeconds` as a JSON string (quoted), through a bounded writer.
    public static func writeSecondsString(millis: Int64, into out: inout BoundedWriter) {
        out.slot(22) { slot in
            slot[0] = UInt8(ascii: "\"")
            let stamp = UnsafeMutableRawBufferPointer(rebasing: slot[1..<21])
            putDateTime(millis: millis, into: stamp)
            stamp[19] = UInt8(ascii: "Z")
            slot[21] = UInt8(ascii: "\"")
        }
    }

    /// `2026-11-25` (UTC day).
    public static func formatDay(millis: Int64) -> String {
        String(unsafeUninitializedCapacity: 10) { buffer in
            let (y, m, d) = civil(days: floorDiv(millis, 86_400_000))
            putDate(year: y, month: m, day: d, into: UnsafeMutableRawBufferPointer(buffer))
            return 10
        }
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil when malformed.
    public static func parse(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { parse(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// `parse` over UTF-8 bytes in place: a rebuild reads several times per order event, and
    /// a `String` and an array made for each were a twentieth of its reading thread.
    public static func parse(utf8 b: UnsafeRawBufferPointer) -> Int64? {
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

    // MARK: - Writing
    //
    // Every digit is stored at its fixed place in the caller's buffer, and the buffer appended
    // once: the read models print several times per order document, and appending digit by
    // digit (a capacity check per byte) was a twentieth of a rebuild's applying thread.

    /// The 24 bytes of `2026-11-25T08:00:00.123Z`.
    private static func put(millis: Int64, into stamp: UnsafeMutableRawBufferPointer) {
        putDateTime(millis: millis, into: stamp)
        stamp[19] = UInt8(ascii: ".")
        let ms = Int(((millis % 1000) + 1000) % 1000)
        stamp[20] = digit(ms / 100)
        put2(ms % 100, into: stamp, at: 21)
        stamp[23] = UInt8(ascii: "Z")
    }

    /// The 19 bytes of `2026-11-25T08:00:00`.
    private static func putDateTime(millis: Int64, into stamp: UnsafeMutableRawBufferPointer) {
        let days = floorDiv(millis, 86_400_000)
        let secondsOfDay = Int((millis - days * 86_400_000) / 1000)
        let (y, m, d) = civil(days: days)
        putDate(year: y, month: m, day: d, into: stamp)
        stamp[10] = UInt8(ascii: "T")
        put2(secondsOfDay / 3600, into: stamp, at: 11)
        stamp[13] = UInt8(ascii: ":")
        put2(secondsOfDay / 60 % 60, into: stamp, at: 14)
        stamp[16] = UInt8(ascii: ":")
        put2(secondsOfDay % 60, into: stamp, at: 17)
    }

    /// The 10 bytes of `2026-11-25`: the year's last four digits (a year outside 0…9999 has
    /// no RFC 3339 form; it is printed wrapped rather than trapping).
    private static func putDate(year: Int64, month: Int64, day: Int64, into stamp: UnsafeMutableRawBufferPointer) {
        let y = Int(UInt64(bitPattern: year) % 10_000)
        put2(y / 100, into: stamp, at: 0)
        put2(y % 100, into: stamp, at: 2)
        stamp[4] = UInt8(ascii: "-")
        put2(Int(month), into: stamp, at: 5)
        stamp[7] = UInt8(ascii: "-")
        put2(Int(day), into: stamp, at: 8)
    }

    /// Two digits of `value` (0…99) at `offset`.
    @inline(__always)
    private static func put2(_ value: Int, into stamp: UnsafeMutableRawBufferPointer, at offset: Int) {
        stamp[offset] = digit(value / 10)
        stamp[offset + 1] = digit(value % 10)
    }

    @inline(__always)
    private static func digit(_ value: Int) -> UInt8 {
        UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value)
    }
}
