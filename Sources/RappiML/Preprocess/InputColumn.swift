/// A raw column a record must (or may) provide for a fitted `Preprocessor`.
public struct InputColumn: Sendable, Equatable {
    public let name: String
    /// The type seen in training. Numeric inputs accept integers and reals alike.
    public let type: ColumnType
    /// `true` when the training rows never lacked this value: a record must provide it.
    /// An optional input may be absent or null; it is then imputed like any missing value.
    public let required: Bool

    public init(name: String, type: ColumnType, required: Bool) {
        self.name = name
        self.type = type
        self.required = required
    }
}
