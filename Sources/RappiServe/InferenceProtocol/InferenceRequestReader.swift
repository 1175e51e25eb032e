/// Reads an infer request body of the protocol's usual shape straight from its bytes into
/// per-input columns — `{"id"?, "inputs": [{"name", "datatype", "shape", "data", …}, …],
/// "outputs"?, …}` — without the JSON tree. Why: for a v2 body the tree (an object per tensor, a
/// shape list, nested data lists, then the walk over all of it) cost more than everything else
/// `/infer` does beyond `/score`.
///
/// It reads with `JSONParser`'s own primitives (one JSON grammar) and checks with
/// `InferenceRequest`'s own checks, so it accepts only what `InferenceRequest.init(_:signature:)`
/// accepts and gives the same request (the fuzz harness `FuzzPredictionRequest` compares the two).
/// On anything else — invalid JSON, a repeated key, a value of another kind, any problem to
/// report — it answers nil and the caller takes the generic path, which words the error.
enum InferenceRequestReader {
    static func read(_ bytes: UnsafeRawBufferPointer, signature: InferenceSignature) -> InferenceRequest? {
        var parser = JSONParser(bytes: bytes.bindMemory(to: UInt8.self))
        return try? read(&parser, signature: signature)
    }

    /// Thrown where the body leaves the usual shape; the generic path takes over.
    private struct Unusual: Error {}

    private static let openBrace = UInt8(ascii: "{"), closeBrace = UInt8(ascii: "}")
    private static let openBracket = UInt8(ascii: "["), closeBracket = UInt8(ascii: "]")
    private static let comma = UInt8(ascii: ","), colon = UInt8(ascii: ":"), quote = UInt8(ascii: "\"")

    // Nesting levels as JSONParser counts them: the body's object is level 1, "inputs" 2, a
    // tensor 3, its data list 4.
    private static func read(_ p: inout JSONParser, signature: InferenceSignature) throws -> InferenceRequest {
        guard p.skip(openBrace) else { throw Unusual() }
        var id: JSONValue?, outputs: JSONValue?, columns: InferenceRequest.Columns?
        repeat {
            switch try key(&p) {
            case .inputs:
                guard columns == nil else { throw Unusual() }
                columns = try inputs(&p, signature: signature)
            case .id:
                guard id == nil else { throw Unusual() }
                id = try p.parseValue(depth: 1)
            case .outputs:
                guard outputs == nil else { throw Unusual() }
                outputs = try p.parseValue(depth: 1)
            default:
                _ = try p.parseValue(depth: 1)   // "parameters" and the like: checked as JSON, not used
            }
        } while p.skip(comma)
        guard p.skip(closeBrace) else { throw Unusual() }
        p.skipWhitespace()
        guard p.atEnd, let columns else { throw Unusual() }
        return InferenceRequest(id: try InferenceRequest.id(id), records: try columns.records(),
                                requestedOutputs: try InferenceRequest.outputs(outputs, signature: signature))
    }

    /// The keys the reader acts on, at either level; any other key is `other`.
    private enum Key: String {
        case inputs, id, outputs, name, datatype, shape, data, other
    }

    /// An object member's key and its colon; the cursor is left on the value. The expected keys
    /// are matched as bytes (no String per key); a key written any other way — escapes
    /// included — is read in full, and one that spells an expected key sends the body to the
    /// generic path, which honours it.
    private static func key(_ p: inout JSONParser) throws -> Key {
        p.skipWhitespace()
        let key: Key
        if p.skipString("name") { key = .name }
        else if p.skipString("datatype") { key = .datatype }
        else if p.skipString("shape") { key = .shape }
        else if p.skipString("data") { key = .data }
        else if p.skipString("inputs") { key = .inputs }
        else if p.skipString("id") { key = .id }
        else if p.skipString("outputs") { key = .outputs }
        else {
            guard p.current == quote, Key(rawValue: try p.parseString()) == nil else { throw Unusual() }
            key = .other
        }
        guard p.skip(colon) else { throw Unusual() }
        p.skipWhitespace()
        return key
    }

    private static func inputs(_ p: inout JSONParser, signature: InferenceSignature) throws -> InferenceRequest.Columns {
        guard p.skip(openBracket) else { throw Unusual() }
        var columns = InferenceRequest.Columns(signature.inputs)
        repeat {
            try tensor(&p, into: &columns)
        } while p.skip(comma)
        guard p.skip(closeBracket) else { throw Unusual() }
        return columns
    }

    /// One tensor, its members in any order, checked and added to `columns`.
    private static func tensor(_ p: inout JSONParser, into columns: inout InferenceRequest.Columns) throws {
        guard p.skip(openBrace) else { throw Unusual() }
        var name: String?, datatype: String?, shape: [Int]?, data: [JSONValue]?
        repeat {
            switch try key(&p) {
            case .name:
                guard name == nil, p.current == quote else { throw Unusual() }
                name = try p.parseString()
            case .datatype:
                guard datatype == nil, p.current == quote else { throw Unusual() }
                datatype = try p.parseString()
            case .shape:
                guard shape == nil else { throw Unusual() }
                shape = try dimensions(&p)
            case .data:
                guard data == nil else { throw Unusual() }
                var flat: [JSONValue] = []
                // Room for the rows the shape announced, bounded by what the bytes could hold.
                flat.reserveCapacity(min(shape?.first ?? 1, p.bytes.count / 2))
                try flatten(&p, depth: 4, into: &flat)
                data = flat
            default:
                _ = try p.parseValue(depth: 3)   // "parameters" and the like
            }
        } while p.skip(comma)
        guard p.skip(closeBrace), let name, let datatype, let shape, let data else { throw Unusual() }
        let j = try columns.slot(of: name)
        try InferenceRequest.checkDatatype(datatype, input: columns.inputs[j])
        _ = try InferenceRequest.rowCount(shape, name: name)
        try InferenceRequest.checkData(data, shape: shape, datatype: datatype, name: name)
        try columns.set(j, data)
    }

    /// A shape list of sizes (`InferenceRequest.dimension`).
    private static func dimensions(_ p: inout JSONParser) throws -> [Int] {
        guard p.skip(openBracket) else { throw Unusual() }
        var shape: [Int] = []
        if p.skip(closeBracket) { return shape }
        repeat {
            p.skipWhitespace()
            guard let c = p.current, c == UInt8(ascii: "-") || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")),
                  let size = InferenceRequest.dimension(try p.parseNumber()) else { throw Unusual() }
            shape.append(size)
        } while p.skip(comma)
        guard p.skip(closeBracket) else { throw Unusual() }
        return shape
    }

    /// A data list at nesting level `depth`, flattened row-major as `InferenceRequest` does.
    private static func flatten(_ p: inout JSONParser, depth: Int, into flat: inout [JSONValue]) throws {
        guard depth <= p.maxDepth, p.skip(openBracket) else { throw Unusual() }
        if p.skip(closeBracket) { return }
        repeat {
            p.skipWhitespace()
            if p.current == openBracket {
                try flatten(&p, depth: depth + 1, into: &flat)
            } else {
                flat.append(try p.parseValue(depth: depth))
            }
        } while p.skip(comma)
        guard p.skip(closeBracket) else { throw Unusual() }
    }
}
