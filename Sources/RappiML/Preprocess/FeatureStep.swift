/// One fitted step that turns a column of the working frame into feature columns.
///
/// The working frame is the coerced input frame (`auto`) or the frame of derived columns
/// (`titanic`). Steps run in order; their feature columns are concatenated.
enum FeatureStep: Sendable, Equatable {
    /// A numeric column, median-imputed: one feature named after the column.
    case numeric(NumericImputer)
    /// A numeric column imputed by the median of its group: one feature named after the column.
    case groupMedian(GroupMedianImputer)
    /// A text column, one-hot encoded: one feature per training category.
    case oneHot(OneHotEncoder)
    /// The preprocessing nodes of an imported ONNX graph: all features at once.
    case onnx(ONNXFeatureGraph)

    var featureNames: [String] {
        switch self {
        case .numeric(let s): return [s.column]
        case .groupMedian(let s): return [s.column]
        case .oneHot(let s): return s.featureNames
        case .onnx(let s): return s.featureNames
        }
    }

    /// Whether its features are numeric measurements (standardized for linear models) rather than 0/1 indicators.
    var isNumeric: Bool {
        if case .oneHot = self { return false }
        return true
    }

    /// The feature columns for every row of `frame`.
    func apply(_ frame: DataFrame) throws -> [[Double]] {
        switch self {
        case .numeric(let s):
            return [s.apply(try Self.numeric(frame, s.column))]
        case .groupMedian(let s):
            let values = try Self.numeric(frame, s.column)
            let groups = try Self.text(frame, s.group)
            return [s.apply(values, groups: (0..<groups.count).map { groups.string($0) })]
        case .oneHot(let s):
            return s.apply(try Self.text(frame, s.column))
        case .onnx(let s):
            return try s.apply(frame)
        }
    }

    private static func numeric(_ frame: DataFrame, _ name: String) throws -> [Double] {
        guard let c = frame.column(named: name), c.type.isNumeric else {
            throw PreprocessError("the preprocessor is inconsistent: its step needs numeric column '\(name)' — the model file may be damaged; retrain the model")
        }
        return c.numericValues
    }

    private static func text(_ frame: DataFrame, _ name: String) throws -> Column {
        guard let c = frame.column(named: name), c.type == .text else {
            throw PreprocessError("the preprocessor is inconsistent: its step needs text column '\(name)' — the model file may be damaged; retrain the model")
        }
        return c
    }

    // MARK: - Serialization

    func encode(to writer: inout BinaryWriter) {
        switch self {
        case .numeric(let s): writer.write(UInt8(1)); s.encode(to: &writer)
        case .groupMedian(let s): writer.write(UInt8(2)); s.encode(to: &writer)
        case .oneHot(let s): writer.write(UInt8(3)); s.encode(to: &writer)
        case .onnx(let s): writer.write(UInt8(4)); s.encode(to: &writer)
        }
    }

    init(from reader: inout BinaryReader) throws {
        let tag = try reader.readUInt8()
        switch tag {
        case 1: self = .numeric(try NumericImputer(from: &reader))
        case 2: self = .groupMedian(try GroupMedianImputer(from: &reader))
        case 3: self = .oneHot(try OneHotEncoder(from: &reader))
        case 4: self = .onnx(try ONNXFeatureGraph(from: &reader))
        default: throw BinaryReader.Failure(message: "model file is damaged: unknown preprocessing step \(tag)")
        }
    }
}
