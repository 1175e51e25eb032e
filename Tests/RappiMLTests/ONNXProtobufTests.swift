import XCTest
@testable import RappiONNX

final class ONNXProtobufTests: XCTestCase {
    /// A model using every kind of field rappi writes.
    static func sample() -> ONNXModel {
        var model = ONNXModel()
        model.opsets = [ONNXOpset(domain: "", version: 21), ONNXOpset(domain: "ai.onnx.ml", version: 5)]
        model.producerName = "rappi"
        model.producerVersion = "0.1.0"
        model.modelVersion = 3
        model.metadata = [("model", "titanic_rf"), ("classes", "[\"0\",\"1\"]")]
        var graph = ONNXGraph()
        graph.name = "g"
        graph.inputs = [ONNXValueInfo("Age", .tensor(elementType: 11, shape: [.symbol("N"), .value(1)])),
                        ONNXValueInfo("Sex", .tensor(elementType: 8, shape: [.symbol("N"), .unknown]))]
        graph.outputs = [ONNXValueInfo("probs", .sequence(.map(keyType: 7, valueType: .tensor(elementType: 1, shape: nil))))]
        graph.initializers = [ONNXTensor(name: "w", dims: [2, 1], doubles: [0.1, -2.5e-300]),
                              ONNXTensor(name: "k", dims: [2], strings: ["a", "ü"]),
                              ONNXTensor(name: "i", dims: [3], ints: [-1, 0, Int64.max])]
        graph.nodes = [ONNXNode("TreeEnsemble", domain: "ai.onnx.ml", name: "n", inputs: ["Age"], outputs: ["y"], attributes: [
            .int("n_targets", -7), .float("f", 0.25), .string("s", "BRANCH_LEQ"), .ints("ids", [0, -1, 1 << 40]),
            .floats("fs", [1.5, -0.0]), .strings("ss", ["a", ""]), .tensor("t", ONNXTensor(dims: [1], doubles: [.pi])),
        ])]
        model.graph = graph
        return model
    }

    func testAModelReadsBackAsItWasWrittenAndEncodesToTheSameBytes() throws {
        let model = Self.sample()
        let bytes = model.serialized()
        let decoded = try ONNXModel(serialized: bytes)
        XCTAssertEqual(decoded, model)
        XCTAssertEqual(decoded.serialized(), bytes)
        XCTAssertEqual(decoded.graph.nodes[0].attribute("ids")?.intsValue, [0, -1, 1 << 40])
        XCTAssertEqual(decoded.graph.initializers[1].stringValues, ["a", "ü"])
        XCTAssertEqual(decoded.opsetVersion("ai.onnx.ml"), 5)
        XCTAssertEqual(decoded.opsetVersion(""), 21)
    }

    func testVarintsAndPackedFieldsAreEncodedAsProtobufDoes() {
        var w = ProtobufWriter()
        w.int(1, 150)                       // the protobuf documentation's example: 08 96 01
        XCTAssertEqual(w.bytes, [0x08, 0x96, 0x01])
        var negative = ProtobufWriter()
        negative.int(2, -1)                 // int64 −1: ten bytes of varint
        XCTAssertEqual(negative.bytes, [0x10] + [UInt8](repeating: 0xff, count: 9) + [0x01])
        var packed = ProtobufWriter()
        packed.packedInts(4, [3, 270])      // 22 03 03 8E 02
        XCTAssertEqual(packed.bytes, [0x22, 0x03, 0x03, 0x8e, 0x02])
    }

    func testRepeatedIntsAreReadPackedOrOneByOne() throws {
        // A NodeProto attribute "ids" of type INTS (7) with 5 and 6 written unpacked (field 8, varint).
        var attribute = ProtobufWriter()
        attribute.string(1, "ids")
        attribute.int(8, 5)
        attribute.int(8, 6)
        attribute.int(20, 7)
        var node = ProtobufWriter()
        node.string(4, "Op")
        node.bytesField(5, attribute.bytes)
        var graph = ProtobufWriter()
        graph.bytesField(1, node.bytes)
        var model = ProtobufWriter()
        model.int(1, 8)
        model.bytesField(7, graph.bytes)
        let decoded = try ONNXModel(serialized: model.bytes)
        XCTAssertEqual(decoded.graph.nodes[0].attribute("ids")?.intsValue, [5, 6])
    }

    func testTruncatedOrDamagedBytesAreAnErrorNamingTheMessageNotACrash() {
        let sample = Self.sample()
        let bytes = sample.serialized()
        var failures = 0
        for cut in 1..<bytes.count {
            do {
                // Cut after the whole graph, the rest (opsets, metadata) may simply be absent.
                let decoded = try ONNXModel(serialized: Array(bytes.prefix(cut)))
                XCTAssertEqual(decoded.graph, sample.graph, "cut at \(cut)")
            } catch {
                failures += 1
                XCTAssertTrue("\(error)".hasPrefix("not a valid ONNX file"), "\(error)")
            }
        }
        XCTAssertGreaterThan(failures, bytes.count * 3 / 4)
        XCTAssertThrowsError(try ONNXModel(serialized: Array("not protobuf at all, just text".utf8)))
        XCTAssertThrowsError(try ONNXModel(serialized: [])) { error in
            XCTAssertTrue("\(error)".contains("no graph"), "\(error)")
        }
    }

    func testDeeplyNestedTypesAreRefusedNotRecursedWithoutEnd() {
        var type = ONNXType.tensor(elementType: 1, shape: nil)
        for _ in 0..<20 { type = .sequence(type) }
        var model = ONNXModel()
        model.graph.outputs = [ONNXValueInfo("y", type)]
        XCTAssertThrowsError(try ONNXModel(serialized: model.serialized())) { error in
            XCTAssertTrue("\(error)".contains("nested deeper"), "\(error)")
        }
    }
}
