import Foundation
import RappiML
import XCTest
@testable import RappiServe

/// The v2 body reader (`InferenceRequestReader`) against the generic decoding it speeds up (JSON
/// tree, then `InferenceRequest.init`): the same request for every body it reads, and every other
/// body left to the generic path, so what a client sees — request or error — never changes.
final class InferenceRequestReaderTests: XCTestCase {
    static let signature = InferenceSignature(runtime: ModelRuntime(model: TestModels.forest.model, name: "titanic_rf", version: 3),
                                              name: "titanic_rf", version: "3", platform: "rappi_rf")

    /// What a client would get from a decoding: the request, exactly, or the error's status and message.
    static func outcome(_ decode: () throws -> InferenceRequest) -> String {
        do {
            let request = try decode()
            return "\(String(describing: request.id))|\(String(describing: request.requestedOutputs))|\(request.records)"
        } catch let error as APIError {
            return "\(error.status.code) \(error.message)"
        } catch {
            return "unexpected \(error)"
        }
    }

    static func generic(_ body: String) -> String {
        outcome { try Array(body.utf8).withUnsafeBytes { try InferenceRequest(ModelResponder.parseJSON($0), signature: signature) } }
    }

    static func decoded(_ body: String) -> String {
        outcome { try Array(body.utf8).withUnsafeBytes { try InferenceRequest.decode($0, signature: signature) } }
    }

    static func read(_ body: String) -> InferenceRequest? {
        Array(body.utf8).withUnsafeBytes { InferenceRequestReader.read($0, signature: signature) }
    }

    /// `object` as JSON text, keys sorted so the edits below find what they replace.
    static func json(_ object: Any) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    /// Asserts the reader reads `body` itself and to exactly the generic path's request.
    func assertRead(_ body: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotNil(Self.read(body), "the reader left a usual body to the generic path: \(body.prefix(300))", file: file, line: line)
        let generic = Self.generic(body)
        XCTAssertFalse(generic.hasPrefix("400"), "the generic path refuses it: \(generic)", file: file, line: line)
        XCTAssertEqual(Self.decoded(body), generic, file: file, line: line)
    }

    /// Asserts the reader leaves `body` alone and the answer is the generic path's.
    func assertLeftToGenericPath(_ body: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(Self.read(body), "the reader read: \(body.prefix(300))", file: file, line: line)
        XCTAssertEqual(Self.decoded(body), Self.generic(body), file: file, line: line)
    }

    func testUsualBodiesAreReadStraightFromTheBytesIntoTheSameRequest() {
        let one = TestModels.passengers(0..<1), batch = TestModels.passengers(0..<50)
        assertRead(Self.json(InferenceProtocolTests.request(one)))
        assertRead(Self.json(InferenceProtocolTests.request(batch)))
        assertRead(Self.json(InferenceProtocolTests.request(batch, flat: true)))
        // Members in any order, extra parameters at both levels, outputs asked for, whitespace.
        var tensors = (InferenceProtocolTests.request(one)["inputs"] as! [[String: Any]]).map { tensor in
            "{\"data\": \(Self.json(tensor["data"]!)), \"parameters\": {\"x\": [1, {}]}, \"shape\": [1], "
                + "\"datatype\": \(Self.json(tensor["datatype"]!)), \"name\": \(Self.json(tensor["name"]!))}"
        }
        tensors.reverse()
        assertRead(" {\"parameters\": {\"binary_data_output\": false}, \"inputs\": [\n\(tensors.joined(separator: ",\n"))\n],"
                   + " \"outputs\": [{\"name\": \"label\"}], \"id\": \"r\\u00e9-1\"}\n")
        // Null id, null outputs, escaped strings, numbers in every JSON form, data nested as deep as JSON may go.
        let deep = String(repeating: "[", count: 61) + "2" + String(repeating: "]", count: 61)
        let body = Self.json(InferenceProtocolTests.request(one))
            .replacingOccurrences(of: "\"id\":\"req-1\"", with: "\"id\":null,\"outputs\":null")
        let edited = body.replacingOccurrences(of: #"{"data":[[3]]"#, with: #"{"data":\#(deep)"#)
            .replacingOccurrences(of: #""data":[["male"]]"#, with: #""data":[["m\u0061le\n\"\\"]]"#)
        XCTAssertNotEqual(edited, body)
        assertRead(edited.replacingOccurrences(of: "\"shape\":[1,1]", with: "\"shape\":[1.0,1e0]"))
    }

    func testEveryFaultyOrUnusualBodyIsLeftToTheGenericPathWithItsAnswerUnchanged() {
        let records = TestModels.passengers(0..<2)
        let usual = Self.json(InferenceProtocolTests.request(records))
        func editing(_ name: String, _ edit: (inout [String: Any]) -> Void) -> String {
            Self.json(InferenceProtocolTests.request(records, editing: name, edit))
        }
        var bodies = [
            editing("Age") { $0["datatype"] = "BYTES" },
            editing("Sex") { $0["datatype"] = "FP64" },
            editing("Sex") { $0["datatype"] = 7 },
            editing("Fare") { $0["data"] = [["cheap"], [7.25]] },
            editing("Pclass") { $0["data"] = [[1.5], [3]] },
            editing("Pclass") { $0["data"] = [[true], [3]] },
            editing("Pclass") { $0["data"] = [["x": 1], [3]] },
            editing("Pclass") { $0["data"] = 3 },
            editing("Age") { $0["data"] = [[22.0]] },
            editing("Age") { $0["shape"] = [1, 2] },
            editing("Age") { $0["shape"] = [-2, 1] },
            editing("Age") { $0["shape"] = ["2", 1] },
            editing("Age") { $0["shape"] = 2 },
            editing("Age") { $0["shape"] = [] },
            editing("Fare") { $0["shape"] = [1, 1]; $0["data"] = [7.25] },
            editing("Cabin") { $0["name"] = "Cabn" },
            editing("Cabin") { $0["name"] = nil },
            editing("Cabin") { $0["data"] = nil },
            editing("Cabin") { $0["datatype"] = nil },
            editing("Cabin") { $0["shape"] = nil },
        ]
        var missing = InferenceProtocolTests.request(records)
        missing["inputs"] = (missing["inputs"] as! [[String: Any]]).filter { $0["name"] as? String != "Cabin" }
        var twice = InferenceProtocolTests.request(records)
        twice["inputs"] = (twice["inputs"] as! [[String: Any]]) + [(twice["inputs"] as! [[String: Any]])[0]]
        var noRows = InferenceProtocolTests.request([])
        noRows["id"] = nil
        bodies += [Self.json(missing), Self.json(twice), Self.json(noRows)]
        bodies += [
            "", "  ", "[]", "{}", #"{"inputs": {}}"#, #"{"inputs": []}"#, #"{"inputs": [1]}"#, #"{"inputs": [{}]}"#, "{not json",
            usual + " x", usual + ",", String(usual.dropLast()),
            usual.replacingOccurrences(of: "\"id\":\"req-1\"", with: "\"id\":5"),
            usual.replacingOccurrences(of: "\"id\":\"req-1\"", with: "\"outputs\":[{\"name\":\"survival\"}]"),
            usual.replacingOccurrences(of: "\"id\":\"req-1\"", with: "\"outputs\":{}"),
            usual.replacingOccurrences(of: "\"id\":\"req-1\"", with: "\"id\":\"a\",\"id\":\"b\""),
            usual.replacingOccurrences(of: "\"name\":\"Age\"", with: "\"name\":\"Sex\",\"name\":\"Age\""),
            // An expected key written with an escape is the same key to JSON: the last one wins.
            usual.replacingOccurrences(of: "\"name\":\"Age\"", with: #""name":"Sex","na\u006de":"Age""#),
            usual.replacingOccurrences(of: "\"id\":\"req-1\"", with: #""\u0069nputs":[]"#),
            usual.replacingOccurrences(of: "\"name\":\"Age\"", with: "\"name\":\"Age\" ,}"),
            usual.replacingOccurrences(of: "\"id\":\"req-1\"", with: "\"inputs\":[],\"id\":\"req-1\""),
            usual.replacingOccurrences(of: "22", with: "022"),
            usual.replacingOccurrences(of: "male", with: "ma\u{01}le"),
            usual.replacingOccurrences(of: "\"id\":\"req-1\"", with: "\"parameters\":" + String(repeating: "[", count: 64) + String(repeating: "]", count: 64)),
        ]
        let deep = String(repeating: "[", count: 62) + "2" + String(repeating: "]", count: 62)
        bodies.append(usual.replacingOccurrences(of: #"{"data":[[3],[1]]"#, with: #"{"data":\#(deep)"#))
        for body in bodies { assertLeftToGenericPath(body) }
    }

    /// A small fuzz run inside the unit tests (the libFuzzer harness FuzzPredictionRequest runs the
    /// same comparison longer): bytes deleted, inserted, replaced and repeated in a usual body.
    func testRandomEditsOfAUsualBodyNeverMakeTheReaderDisagreeWithTheGenericPath() {
        let usual = Array(Self.json(InferenceProtocolTests.request(TestModels.passengers(0..<2))).utf8)
        let alphabet = Array(#"{}[],:" 0123456789.-eE+nultrfasx"#.utf8) + [0x00, 0xC3, 0xA9, 0xFF]
        var random = SplitMix64(seed: 15)
        var read = 0
        for _ in 0..<3_000 {
            var bytes = usual
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<4, using: &random) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
                case 2: bytes[at] = alphabet.randomElement(using: &random)!
                default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + Int.random(in: 1...40, using: &random))], at: at)
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let generic = Self.outcome { try bytes.withUnsafeBytes { try InferenceRequest(ModelResponder.parseJSON($0), signature: Self.signature) } }
            if let request = bytes.withUnsafeBytes({ InferenceRequestReader.read($0, signature: Self.signature) }) {
                read += 1
                XCTAssertEqual(Self.outcome { request }, generic, String(decoding: bytes, as: UTF8.self))
            }
            XCTAssertEqual(Self.outcome { try bytes.withUnsafeBytes { try InferenceRequest.decode($0, signature: Self.signature) } }, generic)
        }
        XCTAssertGreaterThan(read, 100, "the edits should leave some bodies the reader reads")
    }

    func testTheReaderRefusesBytesThatAreNotUTF8() {
        var bytes = Array(Self.json(InferenceProtocolTests.request(TestModels.passengers(0..<1))).utf8)
        let at = bytes.firstIndex(of: UInt8(ascii: "m"))!   // inside "male"
        bytes[at] = 0xFF
        XCTAssertNil(bytes.withUnsafeBytes { InferenceRequestReader.read($0, signature: Self.signature) })
        let message = Self.outcome { try bytes.withUnsafeBytes { try InferenceRequest.decode($0, signature: Self.signature) } }
        XCTAssertTrue(message.hasPrefix("400 the body is not valid JSON: invalid UTF-8 in a string"), message)
    }
}
