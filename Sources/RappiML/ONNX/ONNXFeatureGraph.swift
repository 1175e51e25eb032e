import RappiONNX

/// The preprocessing part of an imported ONNX graph, as one feature step: the nodes between the
/// graph's inputs and the estimator's input, run by `ONNXGraphEvaluator` on the coerced input
/// frame. Stored in the model file as an ONNX graph (the same codec), so it reads back exactly.
///
/// Inputs: a graph input of shape `[N, 1]` reads the column of its name; one of shape `[N, d]`
/// reads columns `NAME_0` … `NAME_{d-1}`. A missing text value is the empty string, a missing
/// number NaN (float inputs are rounded to float32, as a caller of ONNX Runtime would).
struct ONNXFeatureGraph: Sendable, Equatable {
    /// Inputs, the nodes needed for the features in graph order, their initializers, and the
    /// features tensor as the only output.
    let graph: ONNXGraph
    let featureNames: [String]

    var output: String { graph.outputs[0].name }

    struct Input: Equatable {
        let name: String
        let kind: GraphTensor.Kind
        /// Frame columns it reads, in order.
        let columns: [String]
    }

    static func inputs(_ graph: ONNXGraph) throws -> [Input] {
        try graph.inputs.map { info in
            guard case .tensor(let elementType, let shape) = info.type, let kind = GraphTensor.kind(elementType: elementType) else {
                throw ONNXImportError("graph input '\(info.name)' is not a tensor of numbers or strings")
            }
            let width: Int
            switch shape?.count {
            case 1?: width = 1
            case 2?:
                if case .value(let d) = shape![1] { width = Int(d) } else { width = 1 }
            default:
                throw ONNXImportError("graph input '\(info.name)' must have shape [N, 1] (one column) or [N, d], not \(shape.map { "\($0.count) dimensions" } ?? "an unknown shape")")
            }
            guard width >= 1, width <= 100_000 else { throw ONNXImportError("graph input '\(info.name)' has width \(width)") }
            return Input(name: info.name, kind: kind, columns: width == 1 ? [info.name] : (0..<width).map { "\(info.name)_\($0)" })
        }
    }

    /// The raw columns this step reads, typed for `InputCoercion`.
    func inputColumns() throws -> [InputColumn] {
        try Self.inputs(graph).flatMap { input in
            input.columns.map { InputColumn(name: $0, type: input.kind == .string ? .text : (input.kind == .int64 ? .integer : .real),
                                            completeInTraining: false) }
        }
    }

    /// Feature columns for every row of `frame` (the coerced inputs).
    func apply(_ frame: DataFrame) throws -> [[Double]] {
        let rows = frame.rowCount
        let features = try evaluate(frame)
        let width = featureNames.count
        guard features.count == rows * width else {
            throw PreprocessError("the imported graph gave \(features.count) feature values for \(rows) rows × \(width) features")
        }
        var columns = [[Double]](repeating: [Double](repeating: 0, count: rows), count: width)
        features.numbers.withUnsafeBufferPointer { f in
            for r in 0..<rows { for j in 0..<width { columns[j][r] = f[r * width + j] } }
        }
        return columns
    }

    /// The features tensor for the rows of `frame`.
    func evaluate(_ frame: DataFrame) throws -> GraphTensor {
        let rows = frame.rowCount
        var values: [String: GraphTensor] = [:]
        for t in graph.initializers { values[t.name] = try GraphTensor(t) }
        for input in try Self.inputs(graph) {
            let columns = try input.columns.map { name -> Column in
                guard let c = frame.column(named: name) else { throw PreprocessError("the imported graph needs column '\(name)'") }
                return c
            }
            let width = columns.count
            if input.kind == .string {
                var strings = [String](repeating: "", count: rows * width)
                for (j, c) in columns.enumerated() {
                    let levels = c.levels, codes = c.codes
                    for r in 0..<rows where codes[r] >= 0 { strings[r * width + j] = levels[Int(codes[r])] }
                }
                values[input.name] = GraphTensor(dims: [rows, width], strings: strings)
            } else {
                var numbers = [Double](repeating: 0, count: rows * width)
                for (j, c) in columns.enumerated() {
                    let v = c.numericValues
                    for r in 0..<rows {
                        if input.kind == .int64, v[r].isNaN {
                            throw PreprocessError("column '\(c.name)' is an integer input of the imported ONNX graph and cannot be missing (row \(r))")
                        }
                        numbers[r * width + j] = v[r]
                    }
                }
                values[input.name] = GraphTensor(dims: [rows, width], kind: input.kind, numbers: numbers)
            }
        }
        for node in graph.nodes {
            let inputs = try node.inputs.map { name -> GraphTensor in
                guard let t = values[name] else { throw PreprocessError("the imported graph's node '\(node.name)' reads '\(name)', which nothing computes") }
                return t
            }
            let result = try ONNXGraphEvaluator.run(node, inputs)
            for name in node.outputs.prefix(1) { values[name] = result }
        }
        guard let features = values[output], features.kind != .string else {
            throw PreprocessError("the imported graph computes no numeric features '\(output)'")
        }
        return features
    }

    // MARK: - Serialization

    func encode(to writer: inout BinaryWriter) {
        var model = ONNXModel()
        model.graph = graph
        writer.write(bytes: model.serialized())
        writer.write(featureNames)
    }

    init(graph: ONNXGraph, featureNames: [String]) {
        self.graph = graph
        self.featureNames = featureNames
    }

    init(from reader: inout BinaryReader) throws {
        let bytes = try reader.readBytes()
        let model: ONNXModel
        do { model = try ONNXModel(serialized: bytes) } catch {
            throw BinaryReader.Failure(message: "model file is damaged: its ONNX preprocessing graph does not decode (\(error))")
        }
        guard model.graph.outputs.count == 1 else { throw BinaryReader.Failure(message: "model file is damaged: ONNX preprocessing graph output") }
        self.init(graph: model.graph, featureNames: try reader.readStrings())
    }
}
