import Foundation
import RappiONNX

/// An ONNX classifier as a rappi model: its preprocessing nodes become one `ONNXFeatureGraph`
/// step, its estimator becomes rappi's own forest or linear model — so it is served by the same
/// fast prediction path as a model trained here.
///
/// Accepted estimators: `TreeEnsembleClassifier` (ai.onnx.ml 1/3, post-transform NONE, as
/// skl2onnx writes random forests) → forest; `LinearClassifier` with LOGISTIC (plus an L1
/// `Normalizer` for several classes) → logreg, with NONE → linsvc; and rappi's own exports
/// (opset-5 `TreeEnsemble`; `MatMul` + `Add`). After the estimator only `Cast`, `ZipMap`,
/// `Identity`, `ArrayFeatureExtractor` and that `Normalizer` may follow (`tailOps`).
///
/// Exactness: splits are converted to rappi's `x > t` — `x <= t` (BRANCH_LEQ) becomes `t`, a
/// strict `x < t` becomes the next double below `t` — and since features computed in float32
/// stay float32 values, every row takes the branch ONNX Runtime takes. Leaf weights, linear
/// weights and probabilities are computed in double where ONNX Runtime uses float32: they agree
/// to float32 precision.
public enum ONNXImport {
    static let estimatorOps: Set<String> = ["ai.onnx.ml.TreeEnsembleClassifier", "ai.onnx.ml.LinearClassifier",
                                            "ai.onnx.ml.TreeEnsemble", "MatMul"]
    /// After the estimator: output formatting rappi does itself (an `ArrayFeatureExtractor` picks
    /// the positive class's decision value of a binary linear SVC; rappi answers both, [-s, s]).
    static let tailOps: Set<String> = ["Cast", "ai.onnx.ml.ZipMap", "Identity", "ai.onnx.ml.Normalizer",
                                       "ai.onnx.ml.ArrayFeatureExtractor"]

    public static func model(_ bytes: [UInt8], target: String?, lineage: [(name: String, value: String)]) throws -> TrainedModel {
        let onnx = try ONNXModel(serialized: bytes)
        let graph = onnx.graph
        let fromRappi = onnx.producerName == "rappi"
        let estimators = graph.nodes.indices.filter { estimatorOps.contains(graph.nodes[$0].qualifiedOpType) }
        guard estimators.count == 1, let at = estimators.first else {
            if estimators.isEmpty {
                let unknown = graph.nodes.first { !ONNXGraphEvaluator.supportedOps.contains($0.qualifiedOpType) && !tailOps.contains($0.qualifiedOpType) }
                throw ONNXImportError("the graph has no classifier rappi can import (TreeEnsembleClassifier, LinearClassifier, or a rappi export)"
                                      + (unknown.map { "; it uses \($0.qualifiedOpType), which rappi does not support" } ?? ""))
            }
            throw ONNXImportError("the graph has \(estimators.count) estimators (\(estimators.map { graph.nodes[$0].qualifiedOpType }.joined(separator: ", "))) — rappi imports graphs with one")
        }
        let estimatorNode = graph.nodes[at]
        guard let featuresName = estimatorNode.inputs.first else { throw ONNXImportError("the estimator node has no input") }

        // Preprocessing: the nodes the estimator's input depends on.
        var needed: Set<String> = [featuresName]
        var nodes: [ONNXNode] = []
        for node in graph.nodes[..<at].reversed() where node.outputs.contains(where: needed.contains) {
            guard ONNXGraphEvaluator.supportedOps.contains(node.qualifiedOpType) else {
                throw ONNXImportError("the graph uses \(node.qualifiedOpType) (node '\(node.name)') in its preprocessing, which rappi does not support — supported: \(ONNXGraphEvaluator.supportedOps.sorted().joined(separator: ", "))")
            }
            nodes.insert(node, at: 0)
            needed.formUnion(node.inputs)
        }
        var post = Set(estimatorNode.outputs)
        var tail: [ONNXNode] = []
        for node in graph.nodes[(at + 1)...] where !fromRappi && node.inputs.contains(where: post.contains) {
            guard tailOps.contains(node.qualifiedOpType) else {
                throw ONNXImportError("the graph post-processes the classifier's output with \(node.qualifiedOpType) (node '\(node.name)'), which rappi does not support")
            }
            tail.append(node)
            post.formUnion(node.outputs)
        }
        var sub = ONNXGraph()
        sub.name = "preprocessing"
        sub.inputs = graph.inputs.filter { needed.contains($0.name) }
        sub.nodes = nodes
        sub.initializers = graph.initializers.filter { needed.contains($0.name) }
        sub.outputs = [ONNXValueInfo(featuresName, .other)]
        guard !sub.inputs.isEmpty else { throw ONNXImportError("the classifier reads no graph input") }

        // The feature width, from the graph itself on one probe row.
        let probeGraph = ONNXFeatureGraph(graph: sub, featureNames: [])
        let inputs = try probeGraph.inputColumns()
        let probe = DataFrame(columns: inputs.map { $0.type == .text ? Column(name: $0.name, codes: [-1], levels: [])
                                                                      : Column(name: $0.name, type: $0.type, values: [0]) })
        let probed = try probeGraph.evaluate(probe)
        let width = probed.count
        guard width >= 1, probed.kind != .string else { throw ONNXImportError("the preprocessing gives no numeric feature vector") }
        let features = ONNXFeatureGraph(graph: sub, featureNames: (0..<width).map { "f\($0)" })

        let (algorithm, estimator, labels, numericLabels) = try translate(onnx, estimatorNode, tail: tail, width: width)
        let metadataTarget = fromRappi ? onnx.metadataValue("target") : nil
        let encoding = TargetEncoding(column: target ?? metadataTarget ?? "label", classes: labels, isNumeric: numericLabels)
        let ops = Set(nodes.map(\.qualifiedOpType)).sorted()
        let preprocessor = Preprocessor(
            recipe: .auto, target: encoding.column, standardize: false, inputs: inputs, featureNames: features.featureNames,
            notes: ["imported from ONNX (\(onnx.producerName.isEmpty ? "unknown producer" : "\(onnx.producerName) \(onnx.producerVersion)")): \(width) features from \(inputs.count) inputs by \(nodes.count) graph nodes\(ops.isEmpty ? "" : " (\(ops.joined(separator: ", ")))")"],
            steps: [.onnx(features)], standardizer: .identity)
        var origin = lineage
        if fromRappi {
            origin += onnx.metadata.filter { $0.key.hasPrefix("lineage.") }.map { (name: String($0.key.dropFirst(8)), value: $0.value) }
            for key in ["model", "model_version", "model_hash"] { if let v = onnx.metadataValue(key) { origin.append(("exported_" + key, v)) } }
        }
        return TrainedModel(algorithm: algorithm, parameters: [("source", "onnx")], target: encoding, preprocessor: preprocessor,
                            estimator: estimator, metrics: [], lineage: origin)
    }

    // MARK: - Estimators

    private static func translate(_ onnx: ONNXModel, _ node: ONNXNode, tail: [ONNXNode], width: Int) throws
        -> (algorithm: String, estimator: any Classifier, labels: [String], numeric: Bool) {
        switch node.qualifiedOpType {
        case "ai.onnx.ml.TreeEnsembleClassifier":
            let (labels, numeric) = try classLabels(node)
            return ("rf", try forest(node, classCount: labels.count, width: width), labels, numeric)
        case "ai.onnx.ml.LinearClassifier":
            let (labels, numeric) = try classLabels(node)
            let (algorithm, estimator) = try linear(node, tail: tail, classCount: labels.count, width: width)
            return (algorithm, estimator, labels, numeric)
        default:
            return try rappiExport(onnx, node, width: width)
        }
    }

    private static func classLabels(_ node: ONNXNode) throws -> ([String], Bool) {
        if let ints = node.attribute("classlabels_int64s")?.intsValue ?? node.attribute("classlabels_ints")?.intsValue, !ints.isEmpty {
            return (ints.map { String($0) }, true)
        }
        if let strings = node.attribute("classlabels_strings")?.stringsValue, !strings.isEmpty { return (strings, false) }
        throw ONNXImportError("\(node.opType) node '\(node.name)' names no class labels")
    }

    /// One ONNX tree's nodes by id, with its split rule as rappi's `x > t` (true branch right?).
    private struct Split { var feature: Int; var threshold: Double; var right: Int; var left: Int }

    /// Lays out one tree in rappi's form from `root`: splits by node id (leaves have none), leaf
    /// value lists by node id.
    private static func tree(root: Int, splits: [Int: Split], leafValues: [Int: [Float]], classCount k: Int, width: Int) throws -> DecisionTree {
        var raw: [TreeNode] = [TreeNode(threshold: 0, feature: -1, next: 0)]
        var values: [Float] = []
        var queue: [(id: Int, slot: Int)] = [(root, 0)]
        var visited = 0
        while !queue.isEmpty {
            let (id, slot) = queue.removeFirst()
            visited += 1
            guard visited <= splits.count + leafValues.count else { throw ONNXImportError("a tree of the ensemble has a cycle or shared nodes") }
            if let s = splits[id], s.left == s.right, splits[s.left] == nil {
                // A split whose branches meet in one leaf (rappi's export of a one-leaf tree): that leaf.
                queue.insert((s.left, slot), at: 0)
                visited -= 1
            } else if let s = splits[id] {
                guard s.feature >= 0, s.feature < width else { throw ONNXImportError("a tree splits on feature \(s.feature), but the graph has \(width) features") }
                let left = raw.count
                raw[slot] = TreeNode(threshold: s.threshold, feature: Int32(s.feature), next: Int32(left))
                raw.append(TreeNode(threshold: 0, feature: -1, next: 0))
                raw.append(TreeNode(threshold: 0, feature: -1, next: 0))
                queue.append((s.left, left))
                queue.append((s.right, left + 1))
            } else {
                let v = leafValues[id] ?? [Float](repeating: 0, count: k)
                raw[slot] = TreeNode(threshold: 0, feature: -1, next: Int32(values.count / k))
                values += v
            }
        }
        return DecisionTree(rawNodes: raw, leafValues: values, classCount: k)
    }

    /// rappi's rule is "x > t goes right, else (and NaN) left": each ONNX comparison as that.
    private static func split(mode: String, value: Double, feature: Int, trueID: Int, falseID: Int) throws -> Split {
        switch mode {
        case "BRANCH_LEQ": return Split(feature: feature, threshold: value, right: falseID, left: trueID)
        case "BRANCH_LT": return Split(feature: feature, threshold: value.nextDown, right: falseID, left: trueID)
        case "BRANCH_GT": return Split(feature: feature, threshold: value, right: trueID, left: falseID)
        case "BRANCH_GTE": return Split(feature: feature, threshold: value.nextDown, right: trueID, left: falseID)
        default: throw ONNXImportError("tree node mode \(mode) is not supported (only BRANCH_LEQ, BRANCH_LT, BRANCH_GT, BRANCH_GTE)")
        }
    }

    /// scikit-learn's forest as skl2onnx writes it: ONNX Runtime sums the leaf weights, rappi
    /// averages the leaf values, so a leaf's values are its weights × the number of trees.
    private static func forest(_ node: ONNXNode, classCount k: Int, width: Int) throws -> RandomForestClassifier {
        let a = node.attribute
        guard (a("post_transform")?.stringValue ?? "NONE") == "NONE" else {
            throw ONNXImportError("TreeEnsembleClassifier with post_transform \(a("post_transform")?.stringValue ?? "") (boosted trees) is not supported — random forests (NONE) are")
        }
        if let base = a("base_values")?.floatsValue, base.contains(where: { $0 != 0 }) {
            throw ONNXImportError("TreeEnsembleClassifier with base_values is not supported")
        }
        let treeIDs = a("nodes_treeids")?.intsValue ?? [], nodeIDs = a("nodes_nodeids")?.intsValue ?? []
        let features = a("nodes_featureids")?.intsValue ?? [], modes = a("nodes_modes")?.stringsValue ?? []
        let thresholds = a("nodes_values_as_tensor")?.tensorValue?.numbers ?? a("nodes_values")?.floatsValue?.map(Double.init) ?? []
        let trueIDs = a("nodes_truenodeids")?.intsValue ?? [], falseIDs = a("nodes_falsenodeids")?.intsValue ?? []
        let n = treeIDs.count
        guard n > 0, [nodeIDs.count, features.count, modes.count, thresholds.count, trueIDs.count, falseIDs.count].allSatisfy({ $0 == n }) else {
            throw ONNXImportError("TreeEnsembleClassifier node '\(node.name)' has node attributes of different lengths")
        }
        let classTrees = a("class_treeids")?.intsValue ?? [], classNodes = a("class_nodeids")?.intsValue ?? []
        let classIDs = a("class_ids")?.intsValue ?? []
        let weights = a("class_weights_as_tensor")?.tensorValue?.numbers ?? a("class_weights")?.floatsValue?.map(Double.init) ?? []
        guard [classNodes.count, classIDs.count, weights.count].allSatisfy({ $0 == classTrees.count }) else {
            throw ONNXImportError("TreeEnsembleClassifier node '\(node.name)' has class attributes of different lengths")
        }
        let treeOrder = Array(Set(treeIDs)).sorted()
        let T = treeOrder.count
        // Two classes with weights for one class id only: ONNX Runtime takes the sum as the second
        // class's score and answers [1 − s, s] (skl2onnx writes forests so, with class id 0).
        let binaryOneColumn = k == 2 && Set(classIDs).count == 1
        var splits: [Int64: [Int: Split]] = [:], leaves: [Int64: [Int: [Double]]] = [:]
        for i in 0..<n where modes[i] != "LEAF" {
            splits[treeIDs[i], default: [:]][Int(nodeIDs[i])] = try split(mode: modes[i], value: thresholds[i], feature: Int(features[i]),
                                                                           trueID: Int(trueIDs[i]), falseID: Int(falseIDs[i]))
        }
        for i in 0..<n where modes[i] == "LEAF" { leaves[treeIDs[i], default: [:]][Int(nodeIDs[i])] = [Double](repeating: 0, count: k) }
        for i in classTrees.indices {
            let c = binaryOneColumn ? 1 : Int(classIDs[i])
            guard c >= 0, c < k, leaves[classTrees[i]]?[Int(classNodes[i])] != nil else {
                throw ONNXImportError("TreeEnsembleClassifier node '\(node.name)': a class weight names no leaf or class")
            }
            leaves[classTrees[i]]![Int(classNodes[i])]![c] += weights[i] * Double(T)
        }
        var trees: [DecisionTree] = []
        var splitCounts = [Double](repeating: 0, count: width)
        for t in treeOrder {
            let nodeSplits = splits[t] ?? [:]
            var leafValues: [Int: [Float]] = [:]
            for (id, v) in leaves[t] ?? [:] {
                var values = v
                if binaryOneColumn { values[0] = 1 - values[1] }
                leafValues[id] = values.map { Float($0) }
            }
            let roots = Set(nodeSplits.keys).union(leafValues.keys).subtracting(nodeSplits.values.flatMap { [$0.left, $0.right] })
            guard roots.count == 1, let root = roots.first else { throw ONNXImportError("tree \(t) of node '\(node.name)' has no single root") }
            for s in nodeSplits.values { splitCounts[s.feature] += 1 }
            trees.append(try tree(root: root, splits: nodeSplits, leafValues: leafValues, classCount: k, width: width))
        }
        var parameters = RandomForestParameters()
        parameters.trees = T
        let total = splitCounts.reduce(0, +)
        return RandomForestClassifier(classCount: k, featureCount: width, parameters: parameters,
                                      featureImportances: splitCounts.map { total > 0 ? $0 / total : 0 }, trees: trees)
    }

    private static func linear(_ node: ONNXNode, tail: [ONNXNode], classCount k: Int, width: Int) throws -> (String, any Classifier) {
        let a = node.attribute
        let coefficients = (a("coefficients")?.floatsValue ?? []).map(Double.init)
        let intercepts = (a("intercepts")?.floatsValue ?? []).map(Double.init)
        let transform = a("post_transform")?.stringValue ?? "NONE"
        let rows = intercepts.count
        guard rows >= 1, coefficients.count == rows * width else {
            throw ONNXImportError("LinearClassifier node '\(node.name)' has \(coefficients.count) coefficients for \(rows) rows × \(width) features")
        }
        var w = (0..<rows).map { Array(coefficients[($0 * width)..<(($0 + 1) * width)]) }
        var b = intercepts
        if k == 2 && rows == 2 {
            // scikit-learn's binary models as two rows: the negated positive row and the positive row.
            guard zip(w[0], w[1]).allSatisfy({ $0 == -$1 }), b[0] == -b[1] else {
                throw ONNXImportError("LinearClassifier node '\(node.name)': two classes with two independent rows are not supported")
            }
            (w, b) = ([w[1]], [b[1]])
        }
        guard w.count == (k == 2 ? 1 : k) else { throw ONNXImportError("LinearClassifier node '\(node.name)' has \(w.count) rows for \(k) classes") }
        let model = LinearModel(coefficients: w, intercepts: b, classCount: k, featureCount: width)
        let normalizer = tail.first { $0.opType == "Normalizer" }
        switch transform {
        case "LOGISTIC":
            if k > 2 && (normalizer?.attribute("norm")?.stringValue ?? "") != "L1" {
                throw ONNXImportError("LinearClassifier with LOGISTIC and \(k) classes needs an L1 Normalizer after it (one-vs-rest) — rappi's logistic regression normalises so")
            }
            return ("logreg", LogisticRegression(parameters: LogisticRegressionParameters(), model: model, iterations: []))
        case "NONE":
            guard normalizer == nil else { throw ONNXImportError("a Normalizer after a LinearClassifier without LOGISTIC is not supported") }
            return ("linsvc", LinearSVC(parameters: LinearSVCParameters(), model: model, iterations: []))
        default:
            throw ONNXImportError("LinearClassifier with post_transform \(transform) is not supported (multinomial logistic regression's softmax has no rappi counterpart yet) — LOGISTIC (one-vs-rest or binary) and NONE (linear SVC) are")
        }
    }

    /// A graph `export model` wrote: the estimator read back from its TreeEnsemble or MatMul node.
    private static func rappiExport(_ onnx: ONNXModel, _ node: ONNXNode, width: Int) throws
        -> (algorithm: String, estimator: any Classifier, labels: [String], numeric: Bool) {
        guard onnx.producerName == "rappi", let algorithm = onnx.metadataValue("algorithm"),
              let classesText = onnx.metadataValue("classes"),
              let labels = (try? JSONSerialization.jsonObject(with: Data(classesText.utf8))) as? [String], labels.count >= 2 else {
            throw ONNXImportError("\(node.qualifiedOpType) is only imported from graphs rappi exported (with their metadata)")
        }
        let k = labels.count
        let numeric = labels.allSatisfy { Double($0) != nil }
        func initializer(_ name: String) -> ONNXTensor? { onnx.graph.initializers.first { $0.name == name } }
        switch (algorithm, node.qualifiedOpType) {
        case ("rf", "ai.onnx.ml.TreeEnsemble"):
            let a = node.attribute
            let roots = a("tree_roots")?.intsValue ?? []
            let features = a("nodes_featureids")?.intsValue ?? [], splits = a("nodes_splits")?.tensorValue?.numbers ?? []
            let modes = a("nodes_modes")?.tensorValue?.ints ?? []
            let trueIDs = a("nodes_truenodeids")?.intsValue ?? [], falseIDs = a("nodes_falsenodeids")?.intsValue ?? []
            let trueLeaf = a("nodes_trueleafs")?.intsValue ?? [], falseLeaf = a("nodes_falseleafs")?.intsValue ?? []
            let weights = a("leaf_weights")?.tensorValue?.numbers ?? [], targets = a("leaf_targetids")?.intsValue ?? []
            let n = features.count
            guard roots.count % k == 0, !roots.isEmpty, [splits.count, modes.count, trueIDs.count, falseIDs.count, trueLeaf.count, falseLeaf.count].allSatisfy({ $0 == n }),
                  weights.count == targets.count else {
                throw ONNXImportError("the TreeEnsemble node of this rappi export is damaged (attribute lengths)")
            }
            let T = roots.count / k
            // Leaves get ids after the nodes; class c's copy of tree t gives the leaves' values for c.
            let leafBase = n
            func id(_ isLeaf: Int64, _ i: Int64) -> Int { isLeaf != 0 ? leafBase + Int(i) : Int(i) }
            var trees: [DecisionTree] = []
            for t in 0..<T {
                var nodeSplits: [Int: Split] = [:]
                var leafValues: [Int: [Float]] = [:]
                // Walk each class copy in the same order; their shapes are the same.
                var orders: [[Int]] = []
                for c in 0..<k {
                    var order: [Int] = []
                    var stack = [Int(roots[c * T + t])]
                    while let i = stack.popLast(), order.count <= n + weights.count {
                        order.append(i)
                        if i < leafBase {
                            guard i >= 0, i < n else { throw ONNXImportError("the TreeEnsemble node of this rappi export is damaged (node index)") }
                            if c == 0 {
                                nodeSplits[i] = try split(mode: modes[i] == 3 ? "BRANCH_GT" : "BRANCH_LEQ", value: splits[i], feature: Int(features[i]),
                                                          trueID: id(trueLeaf[i], trueIDs[i]), falseID: id(falseLeaf[i], falseIDs[i]))
                            }
                            stack.append(id(falseLeaf[i], falseIDs[i]))
                            stack.append(id(trueLeaf[i], trueIDs[i]))
                        }
                    }
                    orders.append(order)
                }
                guard orders.allSatisfy({ $0.count == orders[0].count }) else { throw ONNXImportError("the TreeEnsemble node of this rappi export is damaged (tree copies differ)") }
                for (position, i) in orders[0].enumerated() where i >= leafBase {
                    var values = [Float](repeating: 0, count: k)
                    for c in 0..<k {
                        let leaf = orders[c][position] - leafBase
                        guard leaf >= 0, leaf < weights.count, targets[leaf] == Int64(c) else { throw ONNXImportError("the TreeEnsemble node of this rappi export is damaged (leaves)") }
                        values[c] = Float(weights[leaf])
                    }
                    leafValues[i] = values
                }
                trees.append(try tree(root: Int(roots[t]), splits: nodeSplits, leafValues: leafValues, classCount: k, width: width))
            }
            var parameters = RandomForestParameters()
            parameters.trees = T
            return ("rf", RandomForestClassifier(classCount: k, featureCount: width, parameters: parameters,
                                                 featureImportances: [Double](repeating: 0, count: width), trees: trees), labels, numeric)
        case ("logreg", "MatMul"), ("linsvc", "MatMul"):
            guard node.inputs.count == 2, let weights = initializer(node.inputs[1]), weights.dims.count == 2,
                  Int(weights.dims[0]) == width, let add = onnx.graph.nodes.first(where: { $0.opType == "Add" && $0.inputs.first == node.outputs.first }),
                  add.inputs.count == 2, let intercepts = initializer(add.inputs[1]) else {
                throw ONNXImportError("the linear part of this rappi export is damaged")
            }
            let rows = Int(weights.dims[1])
            let w = weights.numbers, b = intercepts.numbers
            guard rows == (k == 2 ? 1 : k), b.count == rows, w.count == width * rows else { throw ONNXImportError("the linear part of this rappi export is damaged (sizes)") }
            let coefficients = (0..<rows).map { c in (0..<width).map { j in w[j * rows + c] } }
            let model = LinearModel(coefficients: coefficients, intercepts: b, classCount: k, featureCount: width)
            if algorithm == "logreg" {
                return ("logreg", LogisticRegression(parameters: LogisticRegressionParameters(), model: model, iterations: []), labels, numeric)
            }
            return ("linsvc", LinearSVC(parameters: LinearSVCParameters(), model: model, iterations: []), labels, numeric)
        default:
            throw ONNXImportError("this rappi export holds a \(algorithm) model, which rappi does not import")
        }
    }
}
