/// Centers and scales chosen feature columns with the training rows' mean and population standard
/// deviation (a zero deviation scales by 1), as linear models want.
struct Standardizer: Sendable, Equatable {
    /// Feature column indices, ascending, with their mean and scale.
    let columns: [Int]
    let means: [Double]
    let scales: [Double]

    static let identity = Standardizer(columns: [], means: [], scales: [])

    /// Fits on the feature columns `columns` of `x` (the training rows).
    static func fit(_ x: FeatureMatrix, columns: [Int]) -> Standardizer {
        var means: [Double] = [], scales: [Double] = []
        for j in columns {
            let values = (0..<x.rows).map { x[$0, j] }
            let (m, s) = Statistics.meanAndStd(values)
            means.append(m)
            scales.append(s > 0 && s.isFinite ? s : 1)
        }
        return Standardizer(columns: columns, means: means, scales: scales)
    }

    func apply(_ x: inout FeatureMatrix) {
        guard !columns.isEmpty else { return }
        let width = x.columns
        for row in 0..<x.rows {
            for (k, j) in columns.enumerated() {
                let i = row * width + j
                x.values[i] = (x.values[i] - means[k]) / scales[k]
            }
        }
    }

    init(columns: [Int], means: [Double], scales: [Double]) {
        self.columns = columns
        self.means = means
        self.scales = scales
    }

    func encode(to writer: inout BinaryWriter) {
        writer.write(columns)
        writer.write(means)
        writer.write(scales)
    }

    init(from reader: inout BinaryReader) throws {
        columns = try reader.readInts()
        means = try reader.readDoubles()
        scales = try reader.readDoubles()
        guard means.count == columns.count, scales.count == columns.count else {
            throw BinaryReader.Failure(message: "model file is damaged: standardizer lengths differ")
        }
    }
}
