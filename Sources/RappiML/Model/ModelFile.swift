/// The self-contained, versioned model file:
///
///     "RAPPIMDL" · format version (UInt32) · algorithm · parameters · target encoding ·
///     preprocessor · estimator · metrics · lineage
///
/// Everything is written by `BinaryWriter` in a fixed order, so the same model always encodes
/// to the same bytes — and so to the same content hash in the registry.
public enum ModelFile {
    public static let magic = Array("RAPPIMDL".utf8)
    public static let formatVersion: UInt32 = 1

    /// The estimator types a model file may hold, by their `algorithm` identifier.
    static let estimatorTypes: [String: any Classifier.Type] = [
        RandomForestClassifier.algorithm: RandomForestClassifier.self,
        LinearSVC.algorithm: LinearSVC.self,
        LogisticRegression.algorithm: LogisticRegression.self,
        GradientBoostingClassifier.algorithm: GradientBoostingClassifier.self,
        RidgeRegression.algorithm: RidgeRegression.self,
    ]

    public static func encode(_ model: TrainedModel) -> [UInt8] {
        var writer = BinaryWriter()
        for byte in magic { writer.write(byte) }
        writer.write(formatVersion)
        writer.write(model.algorithm)
        writer.write(model.parameters.map(\.name))
        writer.write(model.parameters.map(\.value))
        model.target.encode(to: &writer)
        model.preprocessor.encode(to: &writer)
        model.estimator.encode(into: &writer)
        writer.write(model.metrics.map(\.name))
        writer.write(model.metrics.map(\.value))
        writer.write(model.lineage.map(\.name))
        writer.write(model.lineage.map(\.value))
        return writer.bytes
    }

    public static func decode(_ bytes: [UInt8]) throws -> TrainedModel {
        var reader = BinaryReader(bytes)
        let (algorithm, parameterNames, parameterValues, target) = try decodeHeader(&reader, size: bytes.count)
        let preprocessor = try Preprocessor(from: &reader)
        guard let estimatorType = estimatorTypes[algorithm] else {
            throw BinaryReader.Failure(message: "model file holds an unknown algorithm '\(algorithm)'")
        }
        let estimator = try estimatorType.init(from: &reader)
        let metricNames = try reader.readStrings()
        let metricValues = try reader.readDoubles()
        let lineageNames = try reader.readStrings()
        let lineageValues = try reader.readStrings()
        guard parameterNames.count == parameterValues.count, metricNames.count == metricValues.count,
              lineageNames.count == lineageValues.count, reader.isAtEnd else {
            throw BinaryReader.Failure(message: "model file is damaged (sections do not line up)")
        }
        return TrainedModel(
            algorithm: algorithm, parameters: zip(parameterNames, parameterValues).map { ($0, $1) },
            target: target, preprocessor: preprocessor, estimator: estimator,
            metrics: zip(metricNames, metricValues).map { ($0, $1) },
            lineage: zip(lineageNames, lineageValues).map { ($0, $1) })
    }

    /// Only what a model reads and answers — its inputs, target column and classes — without
    /// decoding the estimator (`predict on ENDPOINT` checks its records and names its columns so).
    public static func decodeInterface(_ bytes: [UInt8]) throws -> (target: TargetEncoding, inputs: [InputColumn]) {
        var reader = BinaryReader(bytes)
        let target = try decodeHeader(&reader, size: bytes.count).target
        return (target, try Preprocessor(from: &reader).inputs)
    }

    private static func decodeHeader(_ reader: inout BinaryReader, size: Int) throws
        -> (algorithm: String, parameterNames: [String], parameterValues: [String], target: TargetEncoding) {
        guard size >= magic.count + 4 else {
            throw BinaryReader.Failure(message: "not a rappi model file (bad magic bytes)")
        }
        for byte in magic {
            guard try reader.readUInt8() == byte else { throw BinaryReader.Failure(message: "not a rappi model file (bad magic bytes)") }
        }
        let version = try reader.readUInt32()
        guard version <= formatVersion else {
            throw BinaryReader.Failure(message: "model file format v\(version) is newer than this rappi reads (v\(formatVersion)) — upgrade rappi")
        }
        let algorithm = try reader.readString()
        let parameterNames = try reader.readStrings()
        let parameterValues = try reader.readStrings()
        return (algorithm, parameterNames, parameterValues, try TargetEncoding(from: &reader))
    }
}
