import RappiML

/// An Open Inference Protocol infer request decoded into the records `/score` would receive:
/// row `i` holds element `i` of every input tensor, keyed by the input's name. The records then
/// take the one prediction path (`ModelRuntime.classify` → `RecordFrameBuilder` →
/// `TrainedModel.predict`), so the tensors are never coerced here — only checked against the
/// protocol (names, datatypes, shapes, value kinds) so every mistake is a 400 naming the input.
struct InferenceRequest {
    let id: String?
    let records: [JSONRecord]
    /// The outputs asked for, in request order; nil for all of them.
    let requestedOutputs: [String]?

    static let numericDatatypes: Set<String> = ["INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64",
                                               "FP16", "FP32", "FP64"]

    init(id: String?, records: [JSONRecord], requestedOutputs: [String]?) {
        self.id = id
        self.records = records
        self.requestedOutputs = requestedOutputs
    }

    /// Decodes a body from its bytes. A well-formed body in the protocol's usual shape is read
    /// straight into columns (`InferenceRequestReader`: no JSON tree); anything else — or any
    /// problem — goes through the JSON parser and `init(_:signature:)`, which define what is
    /// accepted and word every error.
    static func decode(_ bytes: UnsafeRawBufferPointer, signature: InferenceSignature) throws -> InferenceRequest {
        if let request = InferenceRequestReader.read(bytes, signature: signature) { return request }
        return try InferenceRequest(ModelResponder.parseJSON(bytes), signature: signature)
    }

    /// Decodes `body` for a model with `signature`; a malformed request throws a 400 naming the
    /// input (or output) at fault.
    init(_ body: JSONValue, signature: InferenceSignature) throws {
        guard case .object = body else { throw Self.bad("the body is \(body.kind); expected an object {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, …]}") }
        id = try Self.id(body["id"])
        guard let inputsValue = body["inputs"] else { throw Self.bad("the body has no \"inputs\"; expected {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, …]}") }
        guard case .array(let tensors) = inputsValue else { throw Self.bad("\"inputs\" is \(inputsValue.kind); expected a list of tensors") }

        var columns = Columns(signature.inputs)
        for (position, tensor) in tensors.enumerated() {
            guard case .object = tensor else { throw Self.bad("input \(position) is \(tensor.kind); expected an object with \"name\", \"shape\", \"datatype\" and \"data\"") }
            guard case .string(let name)? = tensor["name"] else { throw Self.bad("input \(position) has no \"name\" string") }
            let j = try columns.slot(of: name)
            try columns.set(j, Self.values(of: tensor, input: signature.inputs[j]))
        }
        records = try columns.records()
        requestedOutputs = try Self.outputs(body["outputs"], signature: signature)
    }

    /// The input tensors' values by input, checked as they come: known names, each once, the
    /// same number of rows everywhere.
    struct Columns {
        let inputs: [InputColumn]
        private var columns: [[JSONValue]?]
        private var rows: Int?
        private var firstName = ""
        private var given = 0

        init(_ inputs: [InputColumn]) {
            self.inputs = inputs
            columns = [[JSONValue]?](repeating: nil, count: inputs.count)
        }

        /// The input named `name`, not given before. Clients mostly send the tensors in the
        /// metadata's order, so the input after the ones given so far is tried first.
        func slot(of name: String) throws -> Int {
            let next = given < inputs.count && inputs[given].name == name ? given : nil
            guard let j = next ?? inputs.firstIndex(where: { $0.name == name }) else {
                throw bad("unknown input '\(clip(name))'; the model's inputs are \(list(inputs.map(\.name)))")
            }
            guard columns[j] == nil else { throw bad("input '\(name)' is given twice") }
            return j
        }

        mutating func set(_ j: Int, _ values: [JSONValue]) throws {
            let name = inputs[j].name
            if let rows, values.count != rows {
                throw bad("input '\(name)' has \(values.count) rows but input '\(firstName)' has \(rows); every input needs one value per row")
            }
            if rows == nil { rows = values.count; firstName = name }
            columns[j] = values
            given += 1
        }

        /// Row `i` holds element `i` of every input, keyed by the input's name, in input order.
        func records() throws -> [JSONRecord] {
            if let j = columns.firstIndex(where: { $0 == nil }) {
                throw bad("missing input '\(inputs[j].name)' (\(InferenceSignature.datatype(of: inputs[j].type))); every input is required — send null values to have them imputed")
            }
            let n = rows ?? 0
            guard n > 0 else { throw bad("the inputs hold no rows; expected shape [n, 1] with n ≥ 1") }
            let given = columns.map { $0! }
            return (0..<n).map { row in inputs.indices.map { j in (key: inputs[j].name, value: given[j][row]) } }
        }
    }

    static func id(_ value: JSONValue?) throws -> String? {
        switch value {
        case .string(let s)?: return s
        case nil, .null?: return nil
        case let other?: throw bad("\"id\" is \(other.kind); expected a string")
        }
    }

    /// The values of one input tensor, checked: a known datatype that fits the column, a shape
    /// `[n, 1]` or `[n]`, and exactly `n` values (flat or nested row-major) of that datatype or null.
    private static func values(of tensor: JSONValue, input: InputColumn) throws -> [JSONValue] {
        let name = input.name
        guard case .string(let datatype)? = tensor["datatype"] else { throw bad("input '\(name)' has no \"datatype\" string") }
        try checkDatatype(datatype, input: input)
        guard case .array(let dims)? = tensor["shape"] else { throw bad("input '\(name)' has no \"shape\" list; expected [n, 1]") }
        var shape: [Int] = []
        for d in dims {
            guard case .number(let v) = d, let size = dimension(v) else {
                throw bad("input '\(name)' has a shape with \(d.kind == "a number" ? "a negative or fractional size" : d.kind); expected [n, 1]")
            }
            shape.append(size)
        }
        let rows = try rowCount(shape, name: name)
        guard let data = tensor["data"] else { throw bad("input '\(name)' has no \"data\"") }
        var flat: [JSONValue] = []
        // The declared count is only a claim until the data is counted: reserve no more than a
        // body could hold.
        flat.reserveCapacity(Swift.min(rows, 1 << 16))
        try flatten(data, into: &flat, name: name)
        try checkData(flat, shape: shape, datatype: datatype, name: name)
        return flat
    }

    /// The datatype must fit the column: a numeric one for a numeric column, BYTES for text.
    static func checkDatatype(_ datatype: String, input: InputColumn) throws {
        guard input.type.isNumeric ? numericDatatypes.contains(datatype) : datatype == "BYTES" else {
            let fix = input.type.isNumeric ? "\(InferenceSignature.datatype(of: input.type)) (or another numeric datatype)" : "BYTES"
            throw bad("input '\(input.name)' has datatype \(clip(datatype)); this \(input.type.rawValue) input takes \(fix)")
        }
    }

    /// A shape's size when it is one: a whole number from 0 to below 10⁹.
    static func dimension(_ v: Double) -> Int? {
        v >= 0 && v == v.rounded() && v < 1e9 ? Int(v) : nil
    }

    /// The rows of a shape `[n, 1]` or `[n]`.
    static func rowCount(_ shape: [Int], name: String) throws -> Int {
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw bad("input '\(name)' has shape \(shape); expected [n, 1] or [n] — one value per row")
        }
        return shape[0]
    }

    /// The flattened data must hold one value per row, each null or of the datatype's kind
    /// (a whole number for the INT and UINT types).
    static func checkData(_ flat: [JSONValue], shape: [Int], datatype: String, name: String) throws {
        guard flat.count == shape[0] else {
            throw bad("input '\(name)' has shape \(shape) but \(flat.count) values; the data must hold exactly \(shape[0])")
        }
        // checkDatatype let only BYTES and the numeric types through, all ASCII: bytes compare.
        let numeric = datatype != "BYTES"
        let integral = datatype.utf8.starts(with: "INT".utf8) || datatype.utf8.starts(with: "UINT".utf8)
        for (row, value) in flat.enumerated() {
            switch value {
            case .null: continue
            case .number(let v) where numeric:
                if integral, v != v.rounded() { throw bad("input '\(name)' row \(row) is \(v), not an integer as \(datatype) requires") }
            case .string where !numeric: continue
            default:
                throw bad("input '\(name)' row \(row) is \(value.kind); \(datatype) data holds \(numeric ? "numbers" : "strings") (or null for a missing value)")
            }
        }
    }

    /// Row-major flattening of nested lists (the protocol allows either form).
    private static func flatten(_ value: JSONValue, into out: inout [JSONValue], name: String) throws {
        guard case .array(let items) = value else { throw bad("input '\(name)' has \"data\" \(value.kind); expected a list") }
        for item in items {
            if case .array = item { try flatten(item, into: &out, name: name) } else { out.append(item) }
        }
    }

    static func outputs(_ value: JSONValue?, signature: InferenceSignature) throws -> [String]? {
        guard let value, case .array(let items) = value else {
            if let value, case .null = value { return nil }
            if value != nil { throw bad("\"outputs\" is \(value!.kind); expected a list of {\"name\": …}") }
            return nil
        }
        let known = signature.outputs.map(\.name)
        return try items.enumerated().map { position, item in
            guard case .string(let name)? = item["name"] else { throw bad("output \(position) has no \"name\" string") }
            guard known.contains(name) else { throw bad("unknown output '\(clip(name))'; the model's outputs are \(list(known))") }
            return name
        }
    }

    static func bad(_ message: String) -> APIError {
        APIError(status: .badRequest, code: "invalid_request", message: message)
    }

    private static func clip(_ s: String) -> String { s.count > 80 ? String(s.prefix(80)) + "…" : s }

    private static func list(_ names: [String]) -> String {
        names.prefix(30).map { "'\($0)'" }.joined(separator: ", ") + (names.count > 30 ? ", …" : "")
    }
}
