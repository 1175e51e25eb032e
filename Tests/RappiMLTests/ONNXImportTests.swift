import XCTest
@testable import RappiML
@testable import RappiONNX

final class ONNXImportTests: XCTestCase {
    typealias F = PreprocessFixtures

    /// A one-input graph: x (float [N, 1]) → TreeEnsembleClassifier with one split `mode` at `t`.
    func stump(mode: String, threshold: Float) -> [UInt8] {
        var model = ONNXModel()
        model.opsets = [ONNXOpset(domain: "", version: 17), ONNXOpset(domain: "ai.onnx.ml", version: 3)]
        model.graph.inputs = [ONNXValueInfo("x", .tensor(elementType: 1, shape: [.symbol("N"), .value(1)]))]
        model.graph.outputs = [ONNXValueInfo("label", .tensor(elementType: 7, shape: [.symbol("N")]))]
        model.graph.nodes = [ONNXNode("TreeEnsembleClassifier", domain: "ai.onnx.ml", name: "t", inputs: ["x"], outputs: ["label", "p"], attributes: [
            .ints("classlabels_int64s", [0, 1]),
            .ints("nodes_treeids", [0, 0, 0]), .ints("nodes_nodeids", [0, 1, 2]), .ints("nodes_featureids", [0, 0, 0]),
            .strings("nodes_modes", [mode, "LEAF", "LEAF"]), .floats("nodes_values", [threshold, 0, 0]),
            .ints("nodes_truenodeids", [1, 0, 0]), .ints("nodes_falsenodeids", [2, 0, 0]),
            // The true leaf says class 0, the false leaf class 1 (weights of class 1 only, as skl2onnx writes).
            .ints("class_treeids", [0, 0]), .ints("class_nodeids", [1, 2]), .ints("class_ids", [0, 0]), .floats("class_weights", [0, 1]),
            .string("post_transform", "NONE"),
        ])]
        return model.serialized()
    }

    func labels(_ bytes: [UInt8], _ xs: [Double]) throws -> [String] {
        let model = try ONNXImport.model(bytes, target: "y", lineage: [])
        return try model.predict(DataFrame(columns: [F.num("x", xs)])).labels
    }

    func testEveryONNXComparisonBecomesRappisGreaterThanExactlyAtTheThreshold() throws {
        let t: Float = 0.1   // not a double: the float32 value is what the graph compares with
        let at = Double(t), below = Double(t).nextDown, above = Double(t).nextUp
        // Inputs are float32 in the graph: values are first rounded as ONNX Runtime's caller would.
        XCTAssertEqual(try labels(stump(mode: "BRANCH_LEQ", threshold: t), [below, at, above, 0.2]), ["0", "0", "0", "1"])
        XCTAssertEqual(try labels(stump(mode: "BRANCH_LT", threshold: t), [0.0, at, 0.2]), ["0", "1", "1"])
        XCTAssertEqual(try labels(stump(mode: "BRANCH_GT", threshold: t), [0.0, at, 0.2]), ["1", "1", "0"])
        XCTAssertEqual(try labels(stump(mode: "BRANCH_GTE", threshold: t), [0.0, at, 0.2]), ["1", "0", "0"])
    }

    func testAnExportedForestImportsBackWithIdenticalAnswersAndThroughTheModelFile() throws {
        let frame = DataFrame(columns: [
            F.num("a", [1, nil, 3, 8, 2, 5, 7, nil, 4, 6]), F.text("k", ["x", "y", nil, "z", "x", "y", "x", "z", "y", "x"]),
            F.num("y", [0, 1, 0, 1, 0, 1, 1, 0, 1, 0], type: .integer),
        ])
        let rows = Array(0..<10)
        let target = try TargetEncoding.fit(frame, target: "y", rows: rows)
        let pre = try Preprocessor.fit(frame, rows: rows, target: "y", recipe: .auto, standardize: false)
        var p = RandomForestParameters()
        p.trees = 7
        p.minSamplesLeaf = 1
        let forest = try RandomForestClassifier.fit(try pre.transform(frame, rows: rows), try target.encode(frame, rows: rows),
                                                    parameters: p, threads: 1)
        let model = TrainedModel(algorithm: "rf", parameters: [], target: target, preprocessor: pre, estimator: forest, metrics: [], lineage: [])
        let onnx = try ONNXExport.model(model, featuresInput: false, metadata: [])
        let imported = try ONNXImport.model(onnx.serialized(), target: nil, lineage: [])
        XCTAssertEqual(imported.target.column, "y")
        XCTAssertEqual(imported.preprocessor.inputs.map(\.name), ["a", "k"])
        // Through the model file, as the registry stores it.
        let stored = try ModelFile.decode(ModelFile.encode(imported))
        let unseen = DataFrame(columns: [F.num("a", [2.5, nil, 100]), F.text("k", ["w", nil, "y"])])
        for candidate in [imported, stored] {
            for data in [frame, unseen] {
                let (a, b) = (try model.predict(data), try candidate.predict(data))
                XCTAssertEqual(a.labels, b.labels)
                XCTAssertEqual(a.probabilities!, b.probabilities!)
            }
        }
    }

    func testABroadcastWhereAndStringLabelEncoderRunAsONNXDoes() throws {
        let strings = GraphTensor(dims: [3, 1], strings: ["a", "", "b"])
        let encode = ONNXNode("LabelEncoder", domain: "ai.onnx.ml", inputs: ["s"], outputs: ["m"], attributes: [
            .strings("keys_strings", [""]), .ints("values_int64s", [1]), .int("default_int64", 0),
        ])
        let missing = try ONNXGraphEvaluator.run(encode, [strings])
        XCTAssertEqual(missing.numbers, [0, 1, 0])
        let fill = GraphTensor(dims: [1], strings: ["z"])
        let filled = try ONNXGraphEvaluator.run(ONNXNode("Where", inputs: ["m", "f", "s"], outputs: ["o"]), [missing, fill, strings])
        XCTAssertEqual(filled.dims, [3, 1])
        XCTAssertEqual(filled.strings, ["a", "z", "b"])
        // float32 arithmetic stays float32.
        let x = GraphTensor(dims: [1, 1], kind: .float, numbers: [0.1])
        let sum = try ONNXGraphEvaluator.run(ONNXNode("Add", inputs: ["x", "x"], outputs: ["y"]), [x, x])
        XCTAssertEqual(sum.numbers, [Double(Float(0.1) + Float(0.1))])
        XCTAssertThrowsError(try ONNXGraphEvaluator.run(ONNXNode("Softmax", inputs: ["x"], outputs: ["y"]), [x])) { error in
            XCTAssertTrue("\(error)".contains("Softmax"), "\(error)")
        }
    }
}
