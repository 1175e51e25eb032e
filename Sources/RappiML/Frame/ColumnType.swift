/// The inferred or declared type of a column.
///
/// - `integer`: every non-missing value is an integer (optional sign, digits). Stored as `Double`.
/// - `real`: every non-missing value is a decimal number (optional fraction and exponent). Stored as `Double`.
/// - `text`: anything else. Stored dictionary-encoded.
public enum ColumnType: String, Sendable {
    case integer, real, text

    /// `true` for `integer` and `real`.
    public var isNumeric: Bool { self != .text }
}
