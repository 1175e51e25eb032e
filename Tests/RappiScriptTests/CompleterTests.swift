import XCTest
@testable import RappiScript

final class CompleterTests: XCTestCase {
    private let completer = Completer(storedNames: { $0 == .dataset ? ["titanic", "iris"] : $0 == .pipeline ? ["titanic_train"] : [] }, publishedNames: { ["rows", "version"] })

    func testCommandWords() {
        XCTAssertEqual(completer.complete(before: "", word: "up"), .words(["upload"]))
        XCTAssertEqual(completer.complete(before: "upload ", word: ""), .words(["dataset"]))
        XCTAssertEqual(completer.complete(before: "", word: "d"), .words(["dataset", "datasets", "deploy", "describe", "dockerize"]))
    }

    func testDatasetNamesAndKeywords() {
        XCTAssertEqual(completer.complete(before: "load dataset ", word: "ti"), .words(["titanic"]))
        XCTAssertEqual(completer.complete(before: "load dataset titanic ", word: "l"), .words(["latest"]))
        XCTAssertEqual(completer.complete(before: "upload dataset titanic ", word: ""),
                       .words(["description=", "from", "target="]))
    }

    func testPathsAreLeftToTheFileCompleter() {
        XCTAssertEqual(completer.complete(before: "upload dataset titanic from ", word: "da"), .files)
    }

    func testOptionsNotYetGiven() {
        XCTAssertEqual(completer.complete(before: "upload dataset t from x.csv target=Survived ", word: ""),
                       .words(["description="]))
        XCTAssertEqual(completer.complete(before: "runs ", word: "l"), .words(["limit="]))
    }

    func testSecondStatementOnALine() {
        XCTAssertEqual(completer.complete(before: "datasets; load ", word: ""), .words(["dataset", "model"]))
    }

    func testEndpointModelAndExperimentArgumentsCompleteStoredNamesNotPublishedValues() {
        let completer = Completer(storedNames: { catalog in
            switch catalog {
            case .model: return ["titanic_rf", "titanic_linsvc"]
            case .endpoint: return ["web", "batch"]
            case .experiment: return ["rf_vs_svc"]
            default: return []
            }
        }, publishedNames: { ["accuracy", "auc"] })
        XCTAssertEqual(completer.complete(before: "undeploy ", word: ""), .words(["batch", "web"]))
        XCTAssertEqual(completer.complete(before: "test endpoint ", word: "w"), .words(["web"]))
        XCTAssertEqual(completer.complete(before: "endpoint rotate-key ", word: ""), .words(["batch", "web"]))
        XCTAssertEqual(completer.complete(before: "model ", word: "titanic_r"), .words(["titanic_rf"]))
        XCTAssertEqual(completer.complete(before: "load model ", word: ""), .words(["titanic_linsvc", "titanic_rf"]))
        XCTAssertEqual(completer.complete(before: "predict on ", word: "b"), .words(["batch"]))
        XCTAssertEqual(completer.complete(before: "abtest report ", word: ""), .words(["rf_vs_svc"]))
        // A name being chosen (register as …) offers nothing rather than published values.
        XCTAssertEqual(completer.complete(before: "register as ", word: ""), .words([]))
        XCTAssertEqual(completer.complete(before: "assert ", word: "a"), .words(["accuracy", "auc"]))
    }

    func testAssertCompletesPublishedNamesAndOperators() {
        XCTAssertEqual(completer.complete(before: "assert ", word: "r"), .words(["rows"]))
        XCTAssertEqual(completer.complete(before: "assert rows ", word: ">"), .words([">", ">="]))
    }
}

final class PipelineCompletionTests: XCTestCase {
    func testPipelineNamesAndParametersComplete() {
        let completer = Completer(storedNames: { $0 == .pipeline ? ["titanic_train", "iris_train"] : ["local", "cpu-cluster"] })
        XCTAssertEqual(completer.complete(before: "run pipeline ", word: "tit"), .words(["titanic_train"]))
        XCTAssertEqual(completer.complete(before: "run pipeline titanic_train ", word: "tim"), .words(["timeout="]))
        XCTAssertEqual(completer.complete(before: "run pipeline titanic_train on ", word: "c"), .words(["cpu-cluster"]))
    }
}
