/// The ONNX messages rappi reads and writes (onnx.proto, IR version 10), as plain values with a
/// hand-written protobuf encoding: ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
/// ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto, StringStringEntryProto.
///
/// Fields rappi has no use for (training info, functions, sparse tensors, sub-graphs, external
/// data, …) are skipped when read and never written. Field numbers are onnx.proto's.
public struct ONNXModel: Sendable, Equatable {
    public var irVersion: Int64 = 10
    public var opsets: [ONNXOpset] = []
    public var producerName = ""
    public var producerVersion = ""
    public var domain = ""
    public var modelVersion: Int64 = 0
    public var docString = ""
    public var graph = ONNXGraph()
    public var metadata: [(key: String, value: String)] = []

    public init() {}

    public static func == (a: ONNXModel, b: ONNXModel) -> Bool {
        a.irVersion == b.irVersion && a.opsets == b.opsets && a.producerName == b.producerName
            && a.producerVersion == b.producerVersion && a.domain == b.domain && a.modelVersion == b.modelVersion
            && a.docString == b.docString && a.graph == b.graph
            && a.metadata.map(\.key) == b.metadata.map(\.key) && a.metadata.map(\.value) == b.metadata.map(\.value)
    }

    public func metadataValue(_ key: String) -> String? { metadata.first { $0.key == key }?.value }

    public func opsetVersion(_ domain: String) -> Int64? {
        opsets.first { $0.domain == domain || ($0.domain == "ai.onnx" && domain == "") || ($0.domain == "" && domain == "ai.onnx") }?.version
    }

    public func serialized() -> [UInt8] {
        var w = ProtobufWriter()
        w.int(1, irVersion)
        if !producerName.isEmpty { w.string(2, producerName) }
        if !producerVersion.isEmpty { w.string(3, producerVersion) }
        if !domain.isEmpty { w.string(4, domain) }
        if modelVersion != 0 { w.int(5, modelVersion) }
        if !docString.isEmpty { w.string(6, docString) }
        w.message(7) { graph.write(to: &$0) }
        for opset in opsets {
            w.message(8) { m in
                if !opset.domain.isEmpty { m.string(1, opset.domain) }
                m.int(2, opset.version)
            }
        }
        for entry in metadata {
            w.message(14) { m in
                m.string(1, entry.key)
                m.string(2, entry.value)
            }
        }
        return w.bytes
    }

    /// Decodes a serialized ModelProto: a pure function of the bytes.
    public init(serialized bytes: [UInt8]) throws(ONNXDecodingError) {
        var r = ProtobufReader(bytes[...], context: "ModelProto")
        var sawGraph = false
        while let (field, wire) = try r.nextField() {
            switch field {
            case 1: irVersion = try r.int(wire, field: "ir_version")
            case 2: producerName = try r.string(wire, field: "producer_name")
            case 3: producerVersion = try r.string(wire, field: "producer_version")
            case 4: domain = try r.string(wire, field: "domain")
            case 5: modelVersion = try r.int(wire, field: "model_version")
            case 6: docString = try r.string(wire, field: "doc_string")
            case 7:
                var m = try r.message(wire, field: "graph", context: "GraphProto")
                graph = try ONNXGraph(&m, depth: 0)
                sawGraph = true
            case 8:
                var m = try r.message(wire, field: "opset_import", context: "OperatorSetIdProto")
                var opset = ONNXOpset(domain: "", version: 0)
                while let (f, w) = try m.nextField() {
                    switch f {
                    case 1: opset.domain = try m.string(w, field: "domain")
                    case 2: opset.version = try m.int(w, field: "version")
                    default: try m.skip(w)
                    }
                }
                opsets.append(opset)
            case 14:
                var m = try r.message(wire, field: "metadata_props", context: "StringStringEntryProto")
                var key = "", value = ""
                while let (f, w) = try m.nextField() {
                    switch f {
                    case 1: key = try m.string(w, field: "key")
                    case 2: value = try m.string(w, field: "value")
                    default: try m.skip(w)
                    }
                }
                metadata.append((key, value))
            default: try r.skip(wire)
            }
        }
        guard sawGraph else { throw ONNXDecodingError("not a valid ONNX file: the model has no graph") }
    }
}

public struct ONNXOpset: Sendable, Equatable {
    public var domain: String
    public var version: Int64
    public init(domain: String, version: Int64) {
        self.domain = domain
        self.version = version
    }
}

public struct ONNXGraph: Sendable, Equatable {
    public var name = ""
    public var docString = ""
    public var nodes: [ONNXNode] = []
    public var initializers: [ONNXTensor] = []
    public var inputs: [ONNXValueInfo] = []
    public var outputs: [ONNXValueInfo] = []

    public init() {}

    func write(to w: inout ProtobufWriter) {
        for node in nodes { w.message(1) { node.write(to: &$0) } }
        w.string(2, name)
        for t in initializers { w.message(5) { t.write(to: &$0) } }
        if !docString.isEmpty { w.string(10, docString) }
        for v in inputs { w.message(11) { v.write(to: &$0) } }
        for v in outputs { w.message(12) { v.write(to: &$0) } }
    }

    init(_ r: inout ProtobufReader, depth: Int) throws(ONNXDecodingError) {
        while let (field, wire) = try r.nextField() {
            switch field {
            case 1:
                var m = try r.message(wire, field: "node", context: "NodeProto")
                nodes.append(try ONNXNode(&m))
            case 2: name = try r.string(wire, field: "name")
            case 5:
                var m = try r.message(wire, field: "initializer", context: "TensorProto")
                initializers.append(try ONNXTensor(&m))
            case 10: docString = try r.string(wire, field: "doc_string")
            case 11:
                var m = try r.message(wire, field: "input", context: "ValueInfoProto")
                inputs.append(try ONNXValueInfo(&m))
            case 12:
                var m = try r.message(wire, field: "output", context: "ValueInfoProto")
                outputs.append(try ONNXValueInfo(&m))
            default: try r.skip(wire)
            }
        }
    }
}

public struct ONNXNode: Sendable, Equatable {
    public var opType: String
    public var domain: String
    public var name: String
    public var inputs: [String]
    public var outputs: [String]
    public var attributes: [ONNXAttribute]

    public init(_ opType: String, domain: String = "", name: String = "", inputs: [String], outputs: [String],
                attributes: [ONNXAttribute] = []) {
        self.opType = opType
        self.domain = domain
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }

    public func attribute(_ name: String) -> ONNXAttribute? { attributes.first { $0.name == name } }

    /// `opType` with its domain when it is not the default one: `ai.onnx.ml.TreeEnsembleClassifier`.
    public var qualifiedOpType: String { domain.isEmpty || domain == "ai.onnx" ? opType : "\(domain).\(opType)" }

    func write(to w: inout ProtobufWriter) {
        for i in inputs { w.string(1, i) }
        for o in outputs { w.string(2, o) }
        if !name.isEmpty { w.string(3, name) }
        w.string(4, opType)
        for a in attributes { w.message(5) { a.write(to: &$0) } }
        if !domain.isEmpty { w.string(7, domain) }
    }

    init(_ r: inout ProtobufReader) throws(ONNXDecodingError) {
        self.init("", inputs: [], outputs: [])
        while let (field, wire) = try r.nextField() {
            switch field {
            case 1: inputs.append(try r.string(wire, field: "input"))
            case 2: outputs.append(try r.string(wire, field: "output"))
            case 3: name = try r.string(wire, field: "name")
            case 4: opType = try r.string(wire, field: "op_type")
            case 5:
                var m = try r.message(wire, field: "attribute", context: "AttributeProto")
                attributes.append(try ONNXAttribute(&m))
            case 7: domain = try r.string(wire, field: "domain")
            default: try r.skip(wire)
            }
        }
    }
}

public struct ONNXAttribute: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case float(Float), int(Int64), string([UInt8]), tensor(ONNXTensor)
        case floats([Float]), ints([Int64]), strings([[UInt8]])
        /// A kind rappi does not use (graph, sparse tensor, type proto, …), by its AttributeType number.
        case unsupported(Int64)
    }

    public var name: String
    public var value: Value

    public init(_ name: String, _ value: Value) {
        self.name = name
        self.value = value
    }

    public static func int(_ name: String, _ v: Int64) -> ONNXAttribute { ONNXAttribute(name, .int(v)) }
    public static func float(_ name: String, _ v: Float) -> ONNXAttribute { ONNXAttribute(name, .float(v)) }
    public static func string(_ name: String, _ v: String) -> ONNXAttribute { ONNXAttribute(name, .string(Array(v.utf8))) }
    public static func ints(_ name: String, _ v: [Int64]) -> ONNXAttribute { ONNXAttribute(name, .ints(v)) }
    public static func floats(_ name: String, _ v: [Float]) -> ONNXAttribute { ONNXAttribute(name, .floats(v)) }
    public static func strings(_ name: String, _ v: [String]) -> ONNXAttribute { ONNXAttribute(name, .strings(v.map { Array($0.utf8) })) }
    public static func tensor(_ name: String, _ v: ONNXTensor) -> ONNXAttribute { ONNXAttribute(name, .tensor(v)) }

    public var intValue: Int64? { if case .int(let v) = value { return v }; return nil }
    public var floatValue: Float? { if case .float(let v) = value { return v }; return nil }
    public var stringValue: String? { if case .string(let v) = value { return String(decoding: v, as: UTF8.self) }; return nil }
    public var intsValue: [Int64]? { if case .ints(let v) = value { return v }; return nil }
    public var floatsValue: [Float]? { if case .floats(let v) = value { return v }; return nil }
    public var stringsValue: [String]? { if case .strings(let v) = value { return v.map { String(decoding: $0, as: UTF8.self) } }; return nil }
    public var tensorValue: ONNXTensor? { if case .tensor(let v) = value { return v }; return nil }

    func write(to w: inout ProtobufWriter) {
        w.string(1, name)
        switch value {
        case .float(let v): w.float(2, v); w.int(20, 1)
        case .int(let v): w.int(3, v); w.int(20, 2)
        case .string(let v): w.bytesField(4, v); w.int(20, 3)
        case .tensor(let t): w.message(5) { t.write(to: &$0) }; w.int(20, 4)
        case .floats(let v): w.packedFloats(7, v); w.int(20, 6)
        case .ints(let v): w.packedInts(8, v); w.int(20, 7)
        case .strings(let v): for s in v { w.bytesField(9, s) }; w.int(20, 8)
        case .unsupported(let type): w.int(20, type)
        }
    }

    init(_ r: inout ProtobufReader) throws(ONNXDecodingError) {
        name = ""
        var type: Int64 = 0
        var f: Float = 0, i: Int64 = 0, s: [UInt8] = [], t: ONNXTensor?
        var floats: [Float] = [], ints: [Int64] = [], strings: [[UInt8]] = []
        while let (field, wire) = try r.nextField() {
            switch field {
            case 1: name = try r.string(wire, field: "name")
            case 2: f = try r.float(wire, field: "f")
            case 3: i = try r.int(wire, field: "i")
            case 4: s = try r.data(wire, field: "s")
            case 5:
                var m = try r.message(wire, field: "t", context: "TensorProto")
                t = try ONNXTensor(&m)
            case 7: try r.floats(wire, into: &floats, field: "floats")
            case 8: try r.ints(wire, into: &ints, field: "ints")
            case 9: strings.append(try r.data(wire, field: "strings"))
            case 20: type = try r.int(wire, field: "type")
            default: try r.skip(wire)
            }
        }
        switch type {
        case 1: value = .float(f)
        case 2: value = .int(i)
        case 3: value = .string(s)
        case 4:
            guard let t else { throw r.failure("tensor attribute '\(name)' without a tensor") }
            value = .tensor(t)
        case 6: value = .floats(floats)
        case 7: value = .ints(ints)
        case 8: value = .strings(strings)
        default: value = .unsupported(type)
        }
    }
}

/// A tensor: only the element types rappi reads and writes keep their values (float, double,
/// int64, int32, string, bool, uint8); others keep their type and shape.
public struct ONNXTensor: Sendable, Equatable {
    public enum ElementType: Int32, Sendable {
        case undefined = 0, float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, string = 8,
             bool = 9, float16 = 10, double = 11, uint32 = 12, uint64 = 13
    }

    public var name: String
    public var dims: [Int64]
    public var elementType: Int32
    public var floats: [Float] = []
    public var doubles: [Double] = []
    public var ints: [Int64] = []
    public var strings: [[UInt8]] = []

    public init(name: String = "", dims: [Int64], doubles: [Double]) {
        self.name = name
        self.dims = dims
        self.elementType = ElementType.double.rawValue
        self.doubles = doubles
    }

    public init(name: String = "", dims: [Int64], ints: [Int64]) {
        self.name = name
        self.dims = dims
        self.elementType = ElementType.int64.rawValue
        self.ints = ints
    }

    public init(name: String = "", dims: [Int64], strings: [String]) {
        self.name = name
        self.dims = dims
        self.elementType = ElementType.string.rawValue
        self.strings = strings.map { Array($0.utf8) }
    }

    /// Element count from the dimensions (1 for a scalar).
    public var elementCount: Int64 { dims.reduce(1, *) }

    /// The values as doubles, whatever numeric type they are stored in.
    public var numbers: [Double] {
        switch ElementType(rawValue: elementType) {
        case .float: return floats.map(Double.init)
        case .double: return doubles
        default: return ints.map(Double.init)
        }
    }

    public var stringValues: [String] { strings.map { String(decoding: $0, as: UTF8.self) } }

    func write(to w: inout ProtobufWriter) {
        w.packedInts(1, dims)
        w.int(2, Int64(elementType))
        switch ElementType(rawValue: elementType) {
        case .float: w.packedFloats(4, floats)
        case .double: w.packedDoubles(10, doubles)
        case .string: for s in strings { w.bytesField(6, s) }
        case .int32, .bool, .uint8: w.packedInts(5, ints)
        default: w.packedInts(7, ints)
        }
        if !name.isEmpty { w.string(8, name) }
    }

    init(_ r: inout ProtobufReader) throws(ONNXDecodingError) {
        name = ""
        dims = []
        elementType = 0
        var raw: [UInt8]?
        while let (field, wire) = try r.nextField() {
            switch field {
            case 1: try r.ints(wire, into: &dims, field: "dims")
            case 2: elementType = Int32(truncatingIfNeeded: try r.int(wire, field: "data_type"))
            case 4: try r.floats(wire, into: &floats, field: "float_data")
            case 5, 7: try r.ints(wire, into: &ints, field: "int_data")
            case 6: strings.append(try r.data(wire, field: "string_data"))
            case 8: name = try r.string(wire, field: "name")
            case 9: raw = try r.data(wire, field: "raw_data")
            case 10: try r.doubles(wire, into: &doubles, field: "double_data")
            case 13: throw r.failure("tensor '\(name)' keeps its data in an external file, which rappi does not read")
            default: try r.skip(wire)
            }
        }
        guard dims.allSatisfy({ $0 >= 0 && $0 < 1 << 40 }) else { throw r.failure("tensor '\(name)' has a negative or huge dimension") }
        if let raw { try decodeRaw(raw, reader: r) }
    }

    private mutating func decodeRaw(_ raw: [UInt8], reader r: ProtobufReader) throws(ONNXDecodingError) {
        func words(_ size: Int) throws(ONNXDecodingError) -> [UInt64] {
            guard raw.count % size == 0 else { throw r.failure("raw data of tensor '\(name)' is \(raw.count) bytes, not a multiple of \(size)") }
            return stride(from: 0, to: raw.count, by: size).map { start in
                var v: UInt64 = 0
                for i in 0..<size { v |= UInt64(raw[start + i]) << (8 * UInt64(i)) }
                return v
            }
        }
        switch ElementType(rawValue: elementType) {
        case .float: floats = try words(4).map { Float(bitPattern: UInt32($0)) }
        case .double: doubles = try words(8).map { Double(bitPattern: $0) }
        case .int64: ints = try words(8).map { Int64(bitPattern: $0) }
        case .int32: ints = try words(4).map { Int64(Int32(bitPattern: UInt32($0))) }
        case .uint8, .bool: ints = raw.map { Int64($0) }
        default: break
        }
    }
}

public struct ONNXValueInfo: Sendable, Equatable {
    public var name: String
    public var type: ONNXType

    public init(_ name: String, _ type: ONNXType) {
        self.name = name
        self.type = type
    }

    func write(to w: inout ProtobufWriter) {
        w.string(1, name)
        w.message(2) { type.write(to: &$0) }
    }

    init(_ r: inout ProtobufReader) throws(ONNXDecodingError) {
        name = ""
        type = .other
        while let (field, wire) = try r.nextField() {
            switch field {
            case 1: name = try r.string(wire, field: "name")
            case 2:
                var m = try r.message(wire, field: "type", context: "TypeProto")
                type = try ONNXType(&m, depth: 0)
            default: try r.skip(wire)
            }
        }
    }
}

/// A TypeProto: a tensor (element type, shape — a dimension is a number or a symbolic name), a
/// sequence or a map (as skl2onnx's ZipMap outputs), or some other kind.
public indirect enum ONNXType: Sendable, Equatable {
    public enum Dimension: Sendable, Equatable {
        case value(Int64), symbol(String), unknown
    }
    case tensor(elementType: Int32, shape: [Dimension]?)
    case sequence(ONNXType)
    case map(keyType: Int32, valueType: ONNXType)
    case other

    func write(to w: inout ProtobufWriter) {
        switch self {
        case .tensor(let elementType, let shape):
            w.message(1) { t in
                t.int(1, Int64(elementType))
                if let shape {
                    t.message(2) { s in
                        for d in shape {
                            s.message(1) { m in
                                switch d {
                                case .value(let v): m.int(1, v)
                                case .symbol(let name): m.string(2, name)
                                case .unknown: break
                                }
                            }
                        }
                    }
                }
            }
        case .sequence(let element): w.message(4) { s in s.message(1) { element.write(to: &$0) } }
        case .map(let key, let value):
            w.message(5) { m in
                m.int(1, Int64(key))
                m.message(2) { value.write(to: &$0) }
            }
        case .other: break
        }
    }

    static let maxDepth = 8

    init(_ r: inout ProtobufReader, depth: Int) throws(ONNXDecodingError) {
        guard depth < Self.maxDepth else { throw r.failure("types nested deeper than \(Self.maxDepth)") }
        self = .other
        while let (field, wire) = try r.nextField() {
            switch field {
            case 1:
                var t = try r.message(wire, field: "tensor_type", context: "TypeProto.Tensor")
                var elementType: Int32 = 0
                var shape: [Dimension]?
                while let (f, w) = try t.nextField() {
                    switch f {
                    case 1: elementType = Int32(truncatingIfNeeded: try t.int(w, field: "elem_type"))
                    case 2:
                        var s = try t.message(w, field: "shape", context: "TensorShapeProto")
                        var dims: [Dimension] = []
                        while let (sf, sw) = try s.nextField() {
                            guard sf == 1 else { try s.skip(sw); continue }
                            var d = try s.message(sw, field: "dim", context: "TensorShapeProto.Dimension")
                            var dim = Dimension.unknown
                            while let (df, dw) = try d.nextField() {
                                switch df {
                                case 1: dim = .value(try d.int(dw, field: "dim_value"))
                                case 2: dim = .symbol(try d.string(dw, field: "dim_param"))
                                default: try d.skip(dw)
                                }
                            }
                            dims.append(dim)
                        }
                        shape = dims
                    default: try t.skip(w)
                    }
                }
                self = .tensor(elementType: elementType, shape: shape)
            case 4:
                var s = try r.message(wire, field: "sequence_type", context: "TypeProto.Sequence")
                var element = ONNXType.other
                while let (f, w) = try s.nextField() {
                    if f == 1 {
                        var e = try s.message(w, field: "elem_type", context: "TypeProto")
                        element = try ONNXType(&e, depth: depth + 1)
                    } else { try s.skip(w) }
                }
                self = .sequence(element)
            case 5:
                var m = try r.message(wire, field: "map_type", context: "TypeProto.Map")
                var key: Int32 = 0
                var value = ONNXType.other
                while let (f, w) = try m.nextField() {
                    switch f {
                    case 1: key = Int32(truncatingIfNeeded: try m.int(w, field: "key_type"))
                    case 2:
                        var v = try m.message(w, field: "value_type", context: "TypeProto")
                        value = try ONNXType(&v, depth: depth + 1)
                    default: try m.skip(w)
                    }
                }
                self = .map(keyType: key, valueType: value)
            default: try r.skip(wire)
            }
        }
    }
}
