/// One numeric feature: the column's value, with a missing value replaced by the median of the
/// training rows.
struct NumericImputer: Sendable, Equatable {
    let column: String
    let fill: Double

    /// nil when the training rows hold no value at all.
    static func fit(column: String, values: [Double]) -> NumericImputer? {
        guard let m = Statistics.median(values) else { return nil }
        return NumericImputer(column: column, fill: m)
    }

    func apply(_ values: [Double]) -> [Double] {
        values.map { $0.isNaN ? fill : $0 }
    }

    func encode(to writer: inout BinaryWriter) {
        writer.write(column)
        writer.write(fill)
    }

    init(column: String, fill: Double) {
        self.column = column
        self.fill = fill
    }

    init(from reader: inout BinaryReader) throws {
        column = try reader.readString()
        fill = try reader.readDouble()
    }
}
