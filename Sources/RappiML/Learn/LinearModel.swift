/// Weights of a linear classifier: one row of coefficients per class (one-vs-rest), or a single
/// row for two classes (positive = class index 1), plus one intercept per row.
struct LinearModel: Sendable, Equatable {
    var coefficients: [[Double]]
    var intercepts: [Double]
    let classCount: Int
    let featureCount: Int

    /// Raw decision values `w·x + b`, `rows × coefficients.count`, row-parallel for large inputs.
    func rawScores(_ x: FeatureMatrix) -> [Double] {
        precondition(x.columns == featureCount, "the model expects \(featureCount) features, got \(x.columns)")
        let m = coefficients.count, d = featureCount, rows = x.rows
        var out = [Double](repeating: 0, count: rows * m)
        let flat = coefficients.flatMap { $0 }
        out.withUnsafeMutableBufferPointer { o in
            x.values.withUnsafeBufferPointer { xv in
                flat.withUnsafeBufferPointer { w in
                    let ob = o.baseAddress, xb = xv.baseAddress, wb = w.baseAddress
                    ParallelFor.chunks(count: rows, threads: ParallelFor.coreCount, minimumChunk: 20_000) { range in
                        guard let ob, let xb, let wb else { return }
                        for r in range {
                            let row = xb + r * d
                            for c in 0..<m {
                                let wr = wb + c * d
                                var s = 0.0
                                for j in 0..<d { s += wr[j] * row[j] }
                                ob[r * m + c] = s + intercepts[c]
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Coefficients for the bar chart: the row itself for two classes, else the largest absolute
    /// coefficient over classes.
    var featureWeights: [Double] {
        if coefficients.count == 1 { return coefficients[0] }
        return (0..<featureCount).map { j in coefficients.map { Swift.abs($0[j]) }.max() ?? 0 }
    }

    func encode(into writer: inout BinaryWriter) {
        writer.write(classCount)
        writer.write(featureCount)
        writer.write(coefficients.count)
        for row in coefficients { writer.write(row) }
        writer.write(intercepts)
    }

    init(coefficients: [[Double]], intercepts: [Double], classCount: Int, featureCount: Int) {
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.classCount = classCount
        self.featureCount = featureCount
    }

    init(from reader: inout BinaryReader, algorithm: String) throws {
        func damaged(_ what: String) -> BinaryReader.Failure {
            BinaryReader.Failure(message: "model file is damaged (\(algorithm): \(what))")
        }
        classCount = try reader.readInt()
        featureCount = try reader.readInt()
        guard classCount >= 2, classCount < 1 << 20, featureCount >= 1, featureCount < 1 << 30 else { throw damaged("sizes") }
        let rows = try reader.readInt()
        guard rows == (classCount == 2 ? 1 : classCount) else { throw damaged("coefficient rows") }
        var coefficients: [[Double]] = []
        for _ in 0..<rows {
            let row = try reader.readDoubles()
            guard row.count == featureCount else { throw damaged("coefficient count") }
            coefficients.append(row)
        }
        self.coefficients = coefficients
        intercepts = try reader.readDoubles()
        guard intercepts.count == rows else { throw damaged("intercepts") }
    }
}

/// One-vs-rest targets: +1 for `positive`, −1 otherwise.
func oneVsRestSigns(_ labels: [Int], positive: Int) -> [Double] {
    labels.map { $0 == positive ? 1.0 : -1.0 }
}

/// The checks both linear models make of their settings, with the fix in each message.
func validateLinearSettings(C: Double, maxIterations: Int, tolerance: Double, suggestedIterations: Int) throws {
    if !(C > 0) || !C.isFinite { throw TrainingError("C must be a positive number (got \(C)); try C=1") }
    if maxIterations < 1 {
        throw TrainingError("max_iter must be at least 1 (got \(maxIterations)); try max_iter=\(suggestedIterations)")
    }
    if !(tolerance > 0) || !tolerance.isFinite { throw TrainingError("tol must be a positive number (got \(tolerance)); try tol=0.0001") }
}
