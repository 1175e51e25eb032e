/// A raw column a fitted `Preprocessor` reads from each record.
public struct InputColumn: Sendable, Equatable {
    public let name: String
    /// The type seen in training. Numeric inputs accept integers and reals alike.
    public let type: ColumnType
    /// `true` when no training row lacked this value. Informational only (the OpenAPI document
    /// says so): a record may always leave a field out, or give null or an empty value — it is then
    /// imputed the way preprocessing learned from the training rows.
    public let completeInTraining: Bool

    public init(name: String, type: ColumnType, completeInTraining: Bool) {
        self.name = name
        self.type = type
        self.completeInTraining = completeInTraining
    }
}
