extension Int64 {
    /// `self + other`, stopping at `Int64.max` (or `.min`) instead of trapping.
    ///
    /// For totals whose parts are each bounded but whose number is not — a cart of many
    /// max-price lines, a day of max-price orders: an overflow would trap and take the server
    /// down, and no input may. (An order's own total is refused above 2^53 − 1 cents instead.)
    public func addingSaturated(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
