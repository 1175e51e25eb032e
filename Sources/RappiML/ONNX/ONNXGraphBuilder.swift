import RappiONNX

/// Builds an ONNX graph node by node: each `node` call returns the name of its (first) output,
/// constants become initializers, and names are unique.
struct ONNXGraphBuilder {
    private(set) var graph = ONNXGraph()
    private var counter = 0

    mutating func fresh(_ stem: String) -> String {
        counter += 1
        return "\(stem)_\(counter)"
    }

    mutating func input(_ name: String, elementType: ONNXTensor.ElementType, width: Int64?) {
        graph.inputs.append(ONNXValueInfo(name, .tensor(elementType: elementType.rawValue,
                                                         shape: [.symbol("N"), width.map { .value($0) } ?? .unknown])))
    }

    mutating func output(_ name: String, elementType: ONNXTensor.ElementType, shape: [ONNXType.Dimension]) {
        graph.outputs.append(ONNXValueInfo(name, .tensor(elementType: elementType.rawValue, shape: shape)))
    }

    mutating func constant(_ stem: String, doubles: [Double], dims: [Int64]) -> String {
        let name = fresh(stem)
        graph.initializers.append(ONNXTensor(name: name, dims: dims, doubles: doubles))
        return name
    }

    mutating func constant(_ stem: String, ints: [Int64], dims: [Int64]) -> String {
        let name = fresh(stem)
        graph.initializers.append(ONNXTensor(name: name, dims: dims, ints: ints))
        return name
    }

    mutating func constant(_ stem: String, strings: [String], dims: [Int64]) -> String {
        let name = fresh(stem)
        graph.initializers.append(ONNXTensor(name: name, dims: dims, strings: strings))
        return name
    }

    /// Adds a node; its output is `output` when given (a graph output), else a fresh name.
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], domain: String = "", output: String? = nil,
                       _ attributes: [ONNXAttribute] = []) -> String {
        let out = output ?? fresh(op)
        graph.nodes.append(ONNXNode(op, domain: domain, name: fresh("node_\(op)"), inputs: inputs, outputs: [out],
                                    attributes: attributes))
        return out
    }
}
