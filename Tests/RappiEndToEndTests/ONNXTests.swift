import Foundation
import RappiWorkspace
import XCTest

/// `export model … to FILE.onnx` and `register from FILE.onnx` through the built binary: an
/// imported model is a registry version like any other — deployed, tested, profiled, in an A/B
/// experiment — and answers as the model it came from. (ONNX Runtime and scikit-learn's side
/// are checked by Tests/onnx/.)
final class ONNXTests: XCTestCase {
    private var root: URL!
    private var rappi: RappiBinary!
    private let titanic = RappiBinary.repository.appendingPathComponent("scripts/data/titanic/ds_full/titanic.csv").path

    override func setUpWithError() throws {
        root = try RappiBinary.scratchFolder("rappi-onnx")
        rappi = RappiBinary(workspace: root.appendingPathComponent("ws"))
        let trained = try rappi.run(["-c", """
            upload dataset titanic from \(titanic) target=Survived; load dataset titanic; preprocess recipe=auto
            train rf trees=30; register as titanic_rf
            """])
        XCTAssertEqual(trained.status, 0, trained.stderr)
    }

    override func tearDownWithError() throws {
        rappi.stopServices()
        try? FileManager.default.removeItem(at: root)
    }

    private func run(_ line: String, file: StaticString = #filePath, lineNumber: UInt = #line) throws -> RappiBinary.Result {
        let result = try rappi.run(["-c", line])
        XCTAssertEqual(result.status, 0, result.stderr + result.stdout, file: file, line: lineNumber)
        return result
    }

    private func failure(_ line: String, file: StaticString = #filePath, lineNumber: UInt = #line) throws -> String {
        let result = try rappi.run(["-c", line])
        XCTAssertEqual(result.status, 1, result.stdout, file: file, line: lineNumber)
        return result.stderr
    }

    func testAnImportedExportIsServedTestedProfiledAndABTestedWithTheOriginalsAnswers() throws {
        let file = root.appendingPathComponent("titanic_rf.onnx").path
        let exported = try run("export model titanic_rf:v1 to \(file)")
        XCTAssertTrue(exported.stdout.contains("exported titanic_rf v1 (rf)"), exported.stdout)
        XCTAssertTrue(exported.stdout.contains("outputs  label, probabilities"), exported.stdout)
        let imported = try run("register from \(file) as titanic_onnx")
        XCTAssertTrue(imported.stdout.contains("registered titanic_onnx v1 — rf"), imported.stdout)
        XCTAssertTrue(imported.stdout.contains("classes 0, 1"), imported.stdout)
        let shown = try run("model titanic_onnx")
        XCTAssertTrue(shown.stdout.contains("Survived") && shown.stdout.contains("exported_model=titanic_rf"), shown.stdout)

        let original = root.appendingPathComponent("original.csv").path, served = root.appendingPathComponent("served.csv").path
        _ = try run("load model titanic_rf; predict from \(titanic) into \(original)")
        _ = try run("deploy titanic_onnx local")
        _ = try run("predict on titanic_onnx from \(titanic) into \(served)")
        XCTAssertEqual(try String(contentsOfFile: served, encoding: .utf8), try String(contentsOfFile: original, encoding: .utf8))

        let tested = try rappi.run(["-c", "test endpoint titanic_onnx", "--json"])
        XCTAssertTrue(tested.stdout.contains("\"tests_failed\":0"), tested.stdout + tested.stderr)
        let profiled = try rappi.run(["-c", "profile endpoint titanic_onnx requests=200 concurrency=2", "--json"])
        XCTAssertTrue(profiled.stdout.contains("\"errors\":0"), profiled.stdout + profiled.stderr)

        let experiment = try run("abtest start onnx titanic_rf vs titanic_onnx auth=none; abtest simulate onnx from dataset titanic requests=100")
        XCTAssertTrue(experiment.stdout.contains("100"), experiment.stdout)
    }

    func testAnImportedModelCanBeExportedAgainOnlyOverItsFeatureVector() throws {
        let file = root.appendingPathComponent("a.onnx").path
        _ = try run("export model titanic_rf to \(file); register from \(file) as again")
        XCTAssertTrue(try failure("export model again to \(root.path)/b.onnx").contains("imported from ONNX — export it with features=true"))
        _ = try run("export model again to \(root.path)/b.onnx features=true")
    }

    func testBadPathsNamesAndFilesAreClearErrors() throws {
        XCTAssertTrue(try failure("export model titanic_rf to model.txt").contains("must end in .onnx"))
        XCTAssertTrue(try failure("export model titanic_rff to m.onnx").contains("titanic_rf"))
        XCTAssertTrue(try failure("register from \(root.path)/missing.onnx as x").contains("cannot read"))
        let garbage = root.appendingPathComponent("garbage.onnx")
        try Data([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]).write(to: garbage)
        XCTAssertTrue(try failure("register from \(garbage.path) as x").contains("not a valid ONNX file"))
        // Nothing was registered by the failures.
        XCTAssertThrowsError(try Workspace(directory: rappi.workspace).modelVersions("x"))
    }
}
