import RappiONNX

/// A tensor while an imported preprocessing graph runs: its shape, and its values as doubles
/// (float, double, int64 and bool elements; float ones hold float32 values and are computed in
/// float32, as ONNX Runtime does) or strings.
struct GraphTensor: Sendable {
    enum Kind: Sendable, Equatable { case float, double, int64, bool, string }
    var dims: [Int]
    var kind: Kind
    var numbers: [Double] = []
    var strings: [String] = []

    var count: Int { dims.reduce(1, *) }

    init(dims: [Int], kind: Kind, numbers: [Double]) {
        self.dims = dims
        self.kind = kind
        self.numbers = kind == .float ? numbers.map { Double(Float($0)) } : numbers
    }

    init(dims: [Int], strings: [String]) {
        self.dims = dims
        self.kind = .string
        self.strings = strings
    }

    init(_ t: ONNXTensor) throws {
        let dims = t.dims.map { Int($0) }
        switch ONNXTensor.ElementType(rawValue: t.elementType) {
        case .float: self.init(dims: dims, kind: .float, numbers: t.numbers)
        case .double: self.init(dims: dims, kind: .double, numbers: t.numbers)
        case .int64, .int32: self.init(dims: dims, kind: .int64, numbers: t.numbers)
        case .bool: self.init(dims: dims, kind: .bool, numbers: t.numbers)
        case .string: self.init(dims: dims, strings: t.stringValues)
        default: throw ONNXImportError("tensor '\(t.name)' has element type \(t.elementType), which rappi does not read")
        }
        guard (kind == .string ? strings.count : numbers.count) == count else {
            throw ONNXImportError("tensor '\(t.name)' holds \(kind == .string ? strings.count : numbers.count) values for shape \(dims)")
        }
    }

    static func kind(elementType: Int32) -> Kind? {
        switch ONNXTensor.ElementType(rawValue: elementType) {
        case .float: return .float
        case .double: return .double
        case .int64, .int32: return .int64
        case .bool: return .bool
        case .string: return .string
        default: return nil
        }
    }
}

/// Runs the nodes of an imported preprocessing graph (as scikit-learn's converters and rappi's
/// own export write them) on a batch of rows. Supported: Identity, Cast, Concat, Reshape,
/// Flatten, Gather, Where, IsNaN, Add, Sub, Mul, Div, Constant, and from
/// ai.onnx.ml Imputer, Scaler, OneHotEncoder, LabelEncoder, ArrayFeatureExtractor. Anything else is an
/// error naming the op.
enum ONNXGraphEvaluator {
    static let supportedOps: Set<String> = [
        "Identity", "Cast", "Concat", "Reshape", "Flatten", "Gather", "Where", "IsNaN", "Add", "Sub", "Mul", "Div", "Constant",
        "ai.onnx.ml.Imputer", "ai.onnx.ml.Scaler", "ai.onnx.ml.OneHotEncoder", "ai.onnx.ml.LabelEncoder",
        "ai.onnx.ml.ArrayFeatureExtractor",
    ]

    static func run(_ node: ONNXNode, _ inputs: [GraphTensor]) throws -> GraphTensor {
        func input(_ i: Int) throws -> GraphTensor {
            guard i < inputs.count else { throw ONNXImportError("\(node.qualifiedOpType) node '\(node.name)' lacks input \(i + 1)") }
            return inputs[i]
        }
        func ints(_ name: String) -> [Int64] { node.attribute(name)?.intsValue ?? [] }
        func floats(_ name: String) -> [Float] { node.attribute(name)?.floatsValue ?? [] }
        func strings(_ name: String) -> [String] { node.attribute(name)?.stringsValue ?? [] }
        switch node.qualifiedOpType {
        case "Identity": return try input(0)
        case "Constant":
            guard let t = node.attribute("value")?.tensorValue else { throw ONNXImportError("Constant node '\(node.name)' has no tensor value") }
            return try GraphTensor(t)
        case "Cast":
            let x = try input(0)
            guard let to = node.attribute("to")?.intValue, let kind = GraphTensor.kind(elementType: Int32(to)), kind != .string, x.kind != .string else {
                throw ONNXImportError("Cast node '\(node.name)': only casts between numeric types are supported")
            }
            let values: [Double]
            switch kind {
            case .int64: values = x.numbers.map { $0.isFinite ? $0.rounded(.towardZero) : 0 }
            case .bool: values = x.numbers.map { $0 != 0 ? 1 : 0 }
            default: values = x.numbers
            }
            return GraphTensor(dims: x.dims, kind: kind, numbers: values)
        case "Concat": return try concat(inputs, axis: Int(node.attribute("axis")?.intValue ?? 0), node: node)
        case "Reshape":
            let x = try input(0), shape = try input(1).numbers.map { Int($0) }
            var dims = shape.enumerated().map { $1 == 0 && $0 < x.dims.count ? x.dims[$0] : $1 }
            let known = dims.filter { $0 != -1 }.reduce(1, *)
            if let free = dims.firstIndex(of: -1) { dims[free] = known > 0 ? x.count / known : 0 }
            guard dims.reduce(1, *) == x.count else { throw ONNXImportError("Reshape node '\(node.name)': shape \(shape) does not fit \(x.dims)") }
            var y = x
            y.dims = dims
            return y
        case "Flatten":
            var x = try input(0)
            let axis = Int(node.attribute("axis")?.intValue ?? 1)
            let a = axis < 0 ? axis + x.dims.count : axis
            x.dims = [x.dims.prefix(a).reduce(1, *), x.dims.dropFirst(a).reduce(1, *)]
            return x
        case "Gather":
            let indices = try input(1)
            let axis = Int(node.attribute("axis")?.intValue ?? 0)
            return try select(try input(0), axis: axis, indices: indices.numbers.map { Int($0) }, keepAxis: !indices.dims.isEmpty,
                              indexDims: indices.dims, node: node)
        case "ai.onnx.ml.ArrayFeatureExtractor":
            let x = try input(0), indices = try input(1)
            return try select(x, axis: x.dims.count - 1, indices: indices.numbers.map { Int($0) }, keepAxis: true,
                              indexDims: [indices.count], node: node)
        case "Where":
            return try broadcast([try input(0), try input(1), try input(2)], node: node) { $0[0] != 0 ? $0[1] : $0[2] }
        case "IsNaN":
            let x = try input(0)
            return GraphTensor(dims: x.dims, kind: .bool, numbers: x.numbers.map { $0.isNaN ? 1 : 0 })
        case "Add": return try arithmetic(inputs, node: node, +, +)
        case "Sub": return try arithmetic(inputs, node: node, -, -)
        case "Mul": return try arithmetic(inputs, node: node, *, *)
        case "Div": return try arithmetic(inputs, node: node, /, /)
        case "ai.onnx.ml.Imputer":
            let x = try input(0)
            let fills = floats("imputed_value_floats").map(Double.init) + ints("imputed_value_int64s").map(Double.init)
            let replaced = Double(node.attribute("replaced_value_float")?.floatValue ?? .nan)
            let width = x.dims.last ?? 1
            guard fills.count == 1 || fills.count == width else {
                throw ONNXImportError("Imputer node '\(node.name)' has \(fills.count) fill values for \(width) columns")
            }
            var values = x.numbers
            for i in values.indices where values[i].isNaN ? replaced.isNaN : values[i] == replaced {
                values[i] = fills.count == 1 ? fills[0] : fills[i % width]
            }
            return GraphTensor(dims: x.dims, kind: x.kind, numbers: values)
        case "ai.onnx.ml.Scaler":
            let x = try input(0)
            let offset = floats("offset"), scale = floats("scale"), width = x.dims.last ?? 1
            guard [1, width].contains(offset.count), [1, width].contains(scale.count) else {
                throw ONNXImportError("Scaler node '\(node.name)' has \(offset.count) offsets and \(scale.count) scales for \(width) columns")
            }
            // float32 arithmetic, as the operator's float output is computed.
            let values = x.numbers.indices.map { i -> Double in
                let j = i % width
                return Double((Float(x.numbers[i]) - offset[offset.count == 1 ? 0 : j]) * scale[scale.count == 1 ? 0 : j])
            }
            return GraphTensor(dims: x.dims, kind: .float, numbers: values)
        case "ai.onnx.ml.OneHotEncoder":
            let x = try input(0)
            let zeros = (node.attribute("zeros")?.intValue ?? 1) != 0
            var index: [String: Int] = [:]
            let cats = strings("cats_strings")
            let intCats = ints("cats_int64s")
            for (i, c) in cats.enumerated() { index[c] = i }
            for (i, c) in intCats.enumerated() { index[String(c)] = i }
            let width = cats.count + intCats.count
            var out = [Double](repeating: 0, count: x.count * width)
            for i in 0..<x.count {
                let key = x.kind == .string ? x.strings[i] : String(Int64(x.numbers[i]))
                if let k = index[key] { out[i * width + k] = 1 } else if !zeros {
                    throw ONNXImportError("OneHotEncoder node '\(node.name)': value '\(key)' is not one of its categories")
                }
            }
            return GraphTensor(dims: x.dims + [width], kind: .double, numbers: out)
        case "ai.onnx.ml.LabelEncoder":
            return try labelEncode(try input(0), node: node)
        default:
            throw ONNXImportError("the graph uses \(node.qualifiedOpType) (node '\(node.name)'), which rappi does not support")
        }
    }

    private static func concat(_ xs: [GraphTensor], axis: Int, node: ONNXNode) throws -> GraphTensor {
        guard let first = xs.first else { throw ONNXImportError("Concat node '\(node.name)' has no inputs") }
        let rank = first.dims.count
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0, a < rank, xs.allSatisfy({ $0.dims.count == rank && $0.kind == first.kind || ($0.dims.count == rank && $0.kind != .string && first.kind != .string) }) else {
            throw ONNXImportError("Concat node '\(node.name)': inputs of different ranks or types")
        }
        let outer = first.dims.prefix(a).reduce(1, *)
        guard xs.allSatisfy({ $0.dims.prefix(a).reduce(1, *) == outer && Array($0.dims.dropFirst(a + 1)) == Array(first.dims.dropFirst(a + 1)) }) else {
            throw ONNXImportError("Concat node '\(node.name)': input shapes \(xs.map(\.dims)) do not line up on axis \(axis)")
        }
        let blocks = xs.map { $0.dims.dropFirst(a).reduce(1, *) }
        var dims = first.dims
        dims[a] = xs.reduce(0) { $0 + $1.dims[a] }
        let kind = xs.contains { $0.kind == .double } ? GraphTensor.Kind.double : first.kind
        if kind == .string {
            var out: [String] = []
            for o in 0..<outer { for (x, b) in zip(xs, blocks) { out += x.strings[(o * b)..<((o + 1) * b)] } }
            return GraphTensor(dims: dims, strings: out)
        }
        var out: [Double] = []
        out.reserveCapacity(dims.reduce(1, *))
        for o in 0..<outer { for (x, b) in zip(xs, blocks) { out += x.numbers[(o * b)..<((o + 1) * b)] } }
        return GraphTensor(dims: dims, kind: kind, numbers: out)
    }

    /// `indices` along `axis` (Gather; ArrayFeatureExtractor on the last axis).
    private static func select(_ x: GraphTensor, axis: Int, indices: [Int], keepAxis: Bool, indexDims: [Int],
                               node: ONNXNode) throws -> GraphTensor {
        let a = axis < 0 ? axis + x.dims.count : axis
        guard a >= 0, a < x.dims.count else { throw ONNXImportError("\(node.opType) node '\(node.name)': axis \(axis) out of range") }
        let n = x.dims[a]
        let picked = try indices.map { i -> Int in
            let j = i < 0 ? i + n : i
            guard j >= 0, j < n else { throw ONNXImportError("\(node.opType) node '\(node.name)': index \(i) out of range 0..<\(n)") }
            return j
        }
        let outer = x.dims.prefix(a).reduce(1, *), inner = x.dims.dropFirst(a + 1).reduce(1, *)
        var dims = Array(x.dims.prefix(a)) + (keepAxis ? indexDims : []) + Array(x.dims.dropFirst(a + 1))
        if dims.isEmpty { dims = [] }
        var order: [Int] = []
        order.reserveCapacity(outer * picked.count * inner)
        for o in 0..<outer { for j in picked { for i in 0..<inner { order.append((o * n + j) * inner + i) } } }
        if x.kind == .string { return GraphTensor(dims: dims, strings: order.map { x.strings[$0] }) }
        return GraphTensor(dims: dims, kind: x.kind, numbers: order.map { x.numbers[$0] })
    }

    /// Elementwise over numpy-style broadcast inputs; strings pass through as values of a
    /// `Where` (the condition is numeric).
    private static func broadcast(_ xs: [GraphTensor], node: ONNXNode, _ f: ([Double]) -> Double) throws -> GraphTensor {
        let rank = xs.map(\.dims.count).max() ?? 0
        let shapes = xs.map { [Int](repeating: 1, count: rank - $0.dims.count) + $0.dims }
        var dims = [Int](repeating: 1, count: rank)
        for d in 0..<rank {
            let sizes = Set(shapes.map { $0[d] }).subtracting([1])
            guard sizes.count <= 1 else { throw ONNXImportError("\(node.opType) node '\(node.name)': shapes \(xs.map(\.dims)) do not broadcast") }
            dims[d] = sizes.first ?? 1
        }
        let total = dims.reduce(1, *)
        let strides = shapes.map { shape -> [Int] in
            var s = [Int](repeating: 0, count: rank), step = 1
            for d in stride(from: rank - 1, through: 0, by: -1) { s[d] = shape[d] == 1 ? 0 : step; step *= shape[d] }
            return s
        }
        // Offsets of each output element in each input: the identity for an input of the output's
        // shape, 0 for a single value (the common cases, without per-element index arithmetic).
        var offsets: [[Int]] = xs.indices.map { k in
            xs[k].count == total ? Array(0..<total) : xs[k].count == 1 ? [Int](repeating: 0, count: total) : []
        }
        let general = xs.indices.filter { offsets[$0].isEmpty || (xs[$0].count == total && shapes[$0] != dims) }
        if !general.isEmpty {
            for k in general { offsets[k] = [Int](repeating: 0, count: total) }
            var index = [Int](repeating: 0, count: rank)
            for i in 0..<total {
                var rest = i
                for d in stride(from: rank - 1, through: 0, by: -1) { index[d] = rest % dims[d]; rest /= dims[d] }
                for k in general { offsets[k][i] = zip(index, strides[k]).reduce(0) { $0 + $1.0 * $1.1 } }
            }
        }
        if node.opType == "Where", xs.count == 3, xs[1].kind == .string || xs[2].kind == .string {
            guard xs[1].kind == .string, xs[2].kind == .string else { throw ONNXImportError("Where node '\(node.name)': mixed string and number values") }
            return GraphTensor(dims: dims, strings: (0..<total).map { i in
                xs[0].numbers[offsets[0][i]] != 0 ? xs[1].strings[offsets[1][i]] : xs[2].strings[offsets[2][i]]
            })
        }
        guard xs.allSatisfy({ $0.kind != .string }) else { throw ONNXImportError("\(node.opType) node '\(node.name)': strings are not numbers") }
        let values = (0..<total).map { i in f(xs.indices.map { xs[$0].numbers[offsets[$0][i]] }) }
        let valueKinds = node.opType == "Where" ? [xs[1].kind, xs[2].kind] : xs.map(\.kind)
        let kind: GraphTensor.Kind = valueKinds.contains(.double) ? .double : valueKinds.contains(.float) ? .float : valueKinds[0]
        return GraphTensor(dims: dims, kind: kind, numbers: values)
    }

    /// Add/Sub/Mul/Div: in float32 when the operands are float, as ONNX Runtime computes them.
    private static func arithmetic(_ xs: [GraphTensor], node: ONNXNode, _ d: @escaping (Double, Double) -> Double,
                                   _ f: @escaping (Float, Float) -> Float) throws -> GraphTensor {
        guard xs.count == 2 else { throw ONNXImportError("\(node.opType) node '\(node.name)' needs two inputs") }
        let single = xs.allSatisfy { $0.kind == .float }
        return try broadcast(xs, node: node) { v in single ? Double(f(Float(v[0]), Float(v[1]))) : d(v[0], v[1]) }
    }

    private static func labelEncode(_ x: GraphTensor, node: ONNXNode) throws -> GraphTensor {
        let a = node.attribute
        let keys: [String] = a("keys_strings")?.stringsValue ?? (a("keys_int64s")?.intsValue?.map { String($0) })
            ?? (a("keys_floats")?.floatsValue?.map { "\(Double($0))" }) ?? []
        func key(_ i: Int) -> String {
            switch x.kind {
            case .string: return x.strings[i]
            case .int64, .bool: return String(Int64(x.numbers[i]))
            default: return "\(x.numbers[i])"
            }
        }
        if let values = a("values_strings")?.stringsValue {
            guard values.count == keys.count else { throw ONNXImportError("LabelEncoder node '\(node.name)': \(keys.count) keys for \(values.count) values") }
            let map = Dictionary(zip(keys, values), uniquingKeysWith: { first, _ in first })
            let fallback = a("default_string")?.stringValue ?? "_Unused"
            return GraphTensor(dims: x.dims, strings: (0..<x.count).map { map[key($0)] ?? fallback })
        }
        let numbers: [Double]
        let kind: GraphTensor.Kind
        let fallback: Double
        if let v = a("values_int64s")?.intsValue {
            (numbers, kind, fallback) = (v.map(Double.init), .int64, Double(a("default_int64")?.intValue ?? -1))
        } else if let v = a("values_floats")?.floatsValue {
            (numbers, kind, fallback) = (v.map(Double.init), .float, Double(a("default_float")?.floatValue ?? -0.0))
        } else {
            throw ONNXImportError("LabelEncoder node '\(node.name)': only string, int64 and float values are supported")
        }
        guard numbers.count == keys.count else { throw ONNXImportError("LabelEncoder node '\(node.name)': \(keys.count) keys for \(numbers.count) values") }
        let map = Dictionary(zip(keys, numbers), uniquingKeysWith: { first, _ in first })
        return GraphTensor(dims: x.dims, kind: kind, numbers: (0..<x.count).map { map[key($0)] ?? fallback })
    }
}

/// An ONNX file rappi cannot import, with what it does not support.
public struct ONNXImportError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
