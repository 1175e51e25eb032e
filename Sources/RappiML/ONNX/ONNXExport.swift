import RappiONNX

/// A registered model as an ONNX graph that any ONNX runtime runs with rappi's answers.
///
/// - Inputs: one `[N, 1]` tensor per raw column (double for numeric columns, NaN = missing;
///   string for text columns, "" = missing), or with `featuresInput` one `[N, d]` double tensor
///   `features`: the recipe's feature columns before standardisation (the `titanic` recipe's
///   engineered features cannot be written as ONNX ops, so it needs this form).
/// - Preprocessing (`auto`): median fill (`IsNaN` + `Where`), most-frequent fill and one-hot
///   (`LabelEncoder` + `OneHotEncoder` + `Cast`), standardisation (`Sub`, `Div`), all in double.
/// - Estimators, in double throughout so rappi's comparisons and sums are reproduced: the forest
///   as `ai.onnx.ml` opset-5 `TreeEnsemble` (double splits, `BRANCH_GT` as rappi's `x > t`, NaN
///   goes to the false branch as in rappi; one tree per class and tree since a leaf feeds one
///   target), summed and scaled by 1/trees as rappi does; linear models as `MatMul` + `Add`,
///   logistic regression's sigmoid (normalised over classes for more than two) as rappi's.
/// - Outputs: `label` (string class labels, the arg-max as rappi's, ties to the first class) and
///   `probabilities` (`[N, classes]`), or `decision_values` for linear SVC.
public enum ONNXExport {
    public static let mlOpset: Int64 = 5
    public static let onnxOpset: Int64 = 21

    public static func model(_ model: TrainedModel, featuresInput: Bool, metadata: [(key: String, value: String)]) throws -> ONNXModel {
        if model.task == .regression {
            throw ONNXExportError("exporting regression models (\(model.algorithm) predicting '\(model.target.column)') to ONNX is not supported yet — classifiers trained with rf, logreg or linsvc are")
        }
        var b = ONNXGraphBuilder()
        let preprocessor = model.preprocessor
        let d = Int64(preprocessor.featureNames.count)
        var features: String
        if featuresInput || preprocessor.recipe == .titanic {
            guard featuresInput else {
                throw ONNXExportError("the model uses the titanic recipe, whose engineered features (title from the name, family size, deck, age by title) have no ONNX form here — export it with features=true: the graph then takes the \(d) feature columns as one input 'features'")
            }
            b.input("features", elementType: .double, width: d)
            features = "features"
        } else {
            features = try rawInputs(preprocessor, &b)
        }
        let s = preprocessor.standardizer
        if !s.columns.isEmpty {
            var means = [Double](repeating: 0, count: Int(d)), scales = [Double](repeating: 1, count: Int(d))
            for (k, j) in s.columns.enumerated() { means[j] = s.means[k]; scales[j] = s.scales[k] }
            let centred = b.node("Sub", [features, b.constant("means", doubles: means, dims: [d])])
            features = b.node("Div", [centred, b.constant("scales", doubles: scales, dims: [d])])
        }

        let k = Int64(model.classes.count)
        let scoreName: String
        switch model.estimator {
        case let forest as RandomForestClassifier:
            scoreName = "probabilities"
            let sums = treeEnsemble(forest.trees, classCount: forest.classCount, input: features, &b)
            b.node("Mul", [sums, b.constant("tree_scale", doubles: [1 / Double(forest.trees.count)], dims: [])], output: scoreName)
        case let logistic as LogisticRegression:
            scoreName = "probabilities"
            let raw = linear(logistic.model, input: features, &b)
            let p = b.node("Sigmoid", [raw])
            if model.classes.count == 2 {
                let p0 = b.node("Sub", [b.constant("one", doubles: [1], dims: []), p])
                b.node("Concat", [p0, p], output: scoreName, [.int("axis", 1)])
            } else {
                let total = b.node("ReduceSum", [p, b.constant("axis", ints: [1], dims: [1])], [.int("keepdims", 1)])
                b.node("Div", [p, total], output: scoreName)
            }
        case let svc as LinearSVC:
            scoreName = "decision_values"
            let raw = linear(svc.model, input: features, &b)
            if model.classes.count == 2 {
                b.node("Concat", [b.node("Neg", [raw]), raw], output: scoreName, [.int("axis", 1)])
            } else {
                b.node("Identity", [raw], output: scoreName)
            }
        default:
            throw ONNXExportError("exporting \(model.algorithm) models to ONNX is not supported yet — rf, logreg and linsvc are")
        }
        let best = b.node("ArgMax", [scoreName], [.int("axis", 1), .int("keepdims", 0)])
        b.node("Gather", [b.constant("classes", strings: model.classes, dims: [k]), best], output: "label", [.int("axis", 0)])
        b.output("label", elementType: .string, shape: [.symbol("N")])
        b.output(scoreName, elementType: .double, shape: [.symbol("N"), .value(k)])

        var onnx = ONNXModel()
        onnx.opsets = [ONNXOpset(domain: "", version: onnxOpset), ONNXOpset(domain: "ai.onnx.ml", version: mlOpset)]
        onnx.producerName = "rappi"
        onnx.docString = "\(model.algorithm) classifier of '\(model.target.column)' exported by rappi"
        var graph = b.graph
        graph.name = "rappi_\(model.algorithm)"
        onnx.graph = graph
        onnx.metadata = metadata + [
            ("algorithm", model.algorithm), ("target", model.target.column),
            ("classes", JSONText.array(model.classes.map(JSONText.quote))),
            ("recipe", preprocessor.recipe.rawValue),
            ("inputs", featuresInput ? "features" : JSONText.array(preprocessor.inputs.map { JSONText.quote($0.name) })),
            ("feature_names", JSONText.array(preprocessor.featureNames.map(JSONText.quote))),
        ] + model.parameters.map { (key: "parameter.\($0.name)", value: $0.value) }
          + model.lineage.map { (key: "lineage.\($0.name)", value: $0.value) }
        return onnx
    }

    /// One input per raw column and the `auto` recipe's steps over them, concatenated in feature order.
    private static func rawInputs(_ preprocessor: Preprocessor, _ b: inout ONNXGraphBuilder) throws -> String {
        for input in preprocessor.inputs {
            b.input(input.name, elementType: input.type.isNumeric ? .double : .string, width: 1)
        }
        var parts: [String] = []
        for step in preprocessor.steps {
            switch step {
            case .numeric(let imputer):
                let missing = b.node("IsNaN", [imputer.column])
                parts.append(b.node("Where", [missing, b.constant("fill", doubles: [imputer.fill], dims: []), imputer.column]))
            case .oneHot(let encoder):
                // Missing ("") takes the fill; an unseen category maps to a key no category has, so
                // OneHotEncoder gives it all zeros as rappi does.
                let unseen = "\u{1}unseen"
                let filled = b.node("LabelEncoder", [encoder.column], domain: "ai.onnx.ml", [
                    .strings("keys_strings", encoder.categories + [""]),
                    .strings("values_strings", encoder.categories + [encoder.fill]),
                    .string("default_string", unseen),
                ])
                let hot = b.node("OneHotEncoder", [filled], domain: "ai.onnx.ml", [
                    .strings("cats_strings", encoder.categories), .int("zeros", 1),
                ])
                let width = Int64(encoder.categories.count)
                let flat = b.node("Reshape", [hot, b.constant("shape", ints: [-1, width], dims: [2])])
                parts.append(b.node("Cast", [flat], [.int("to", Int64(ONNXTensor.ElementType.double.rawValue))]))   // 0/1 floats
            case .groupMedian:
                throw ONNXExportError("group-median imputation belongs to the titanic recipe — export with features=true")
            case .onnx:
                throw ONNXExportError("the model was imported from ONNX — export it with features=true (its feature vector as input), or use the original file")
            }
        }
        return parts.count == 1 ? parts[0] : b.node("Concat", parts, [.int("axis", 1)])
    }

    /// `x · Wᵀ + b`: `[N, rows]` raw decision values.
    private static func linear(_ m: LinearModel, input: String, _ b: inout ONNXGraphBuilder) -> String {
        let d = m.featureCount, rows = m.coefficients.count
        var transposed = [Double](repeating: 0, count: d * rows)
        for (c, row) in m.coefficients.enumerated() { for j in 0..<d { transposed[j * rows + c] = row[j] } }
        let product = b.node("MatMul", [input, b.constant("weights", doubles: transposed, dims: [Int64(d), Int64(rows)])])
        return b.node("Add", [product, b.constant("intercepts", doubles: m.intercepts, dims: [Int64(rows)])])
    }

    /// `[N, classCount]` sums over trees of the leaf class distributions.
    private static func treeEnsemble(_ trees: [DecisionTree], classCount k: Int, input: String, _ b: inout ONNXGraphBuilder) -> String {
        var roots: [Int64] = [], features: [Int64] = [], splits: [Double] = [], modes: [Int64] = []
        var trueIDs: [Int64] = [], trueLeafs: [Int64] = [], falseIDs: [Int64] = [], falseLeafs: [Int64] = []
        var leafTargets: [Int64] = [], leafWeights: [Double] = []
        let branchGreater: Int64 = 3, branchLessOrEqual: Int64 = 0
        // A leaf feeds one target, so each class gets its own copy of every tree.
        for c in 0..<k {
            for tree in trees {
                var nodeIndex = [Int](repeating: -1, count: tree.nodes.count)
                var leafIndex = [Int](repeating: -1, count: tree.nodes.count)
                // Leaves and nodes in node order.
                var nextLeaf = leafTargets.count, nextNode = features.count
                for i in tree.nodes.indices {
                    if tree.isLeaf(i) { leafIndex[i] = nextLeaf; nextLeaf += 1 } else { nodeIndex[i] = nextNode; nextNode += 1 }
                }
                for i in tree.nodes.indices where tree.isLeaf(i) {
                    leafTargets.append(Int64(c))
                    leafWeights.append(Double(tree.values[i * k + c]))
                }
                if tree.nodes.count == 1 {
                    // A tree that is one leaf: a split whose both branches reach it.
                    roots.append(Int64(features.count))
                    features.append(0); splits.append(0); modes.append(branchLessOrEqual)
                    trueIDs.append(Int64(leafIndex[0])); trueLeafs.append(1)
                    falseIDs.append(Int64(leafIndex[0])); falseLeafs.append(1)
                    continue
                }
                roots.append(Int64(nodeIndex[0]))
                for (i, node) in tree.nodes.enumerated() where !tree.isLeaf(i) {
                    features.append(Int64(node.feature)); splits.append(node.threshold); modes.append(branchGreater)
                    let left = Int(node.next), right = left + 1
                    // x > t is true: right; false (and NaN): left.
                    trueLeafs.append(tree.isLeaf(right) ? 1 : 0)
                    trueIDs.append(Int64(tree.isLeaf(right) ? leafIndex[right] : nodeIndex[right]))
                    falseLeafs.append(tree.isLeaf(left) ? 1 : 0)
                    falseIDs.append(Int64(tree.isLeaf(left) ? leafIndex[left] : nodeIndex[left]))
                }
            }
        }
        var modeTensor = ONNXTensor(dims: [Int64(modes.count)], ints: modes)
        modeTensor.elementType = ONNXTensor.ElementType.uint8.rawValue
        return b.node("TreeEnsemble", [input], domain: "ai.onnx.ml", [
            .int("aggregate_function", 1),   // SUM
            .tensor("leaf_weights", ONNXTensor(dims: [Int64(leafWeights.count)], doubles: leafWeights)),
            .ints("leaf_targetids", leafTargets),
            .int("n_targets", Int64(k)),
            .ints("nodes_falseleafs", falseLeafs),
            .ints("nodes_falsenodeids", falseIDs),
            .ints("nodes_featureids", features),
            .tensor("nodes_modes", modeTensor),
            .tensor("nodes_splits", ONNXTensor(dims: [Int64(splits.count)], doubles: splits)),
            .ints("nodes_trueleafs", trueLeafs),
            .ints("nodes_truenodeids", trueIDs),
            .int("post_transform", 0),
            .ints("tree_roots", roots),
        ])
    }
}

/// Why a model cannot be exported (or imported), with what to do instead.
public struct ONNXExportError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
