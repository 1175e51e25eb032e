/// How raw records become features.
///
/// - `auto`: any tabular data. Numeric columns are median-imputed (and standardized for linear
///   models); text columns are most-frequent-imputed and one-hot encoded; ID-like and
///   high-cardinality text columns are dropped with a note.
/// - `titanic`: the Kaggle Titanic columns, with engineered features (title from the name, family
///   size, deck from the cabin, age imputed by title, log fare).
public enum Recipe: String, Sendable, CaseIterable {
    case auto, titanic
}
