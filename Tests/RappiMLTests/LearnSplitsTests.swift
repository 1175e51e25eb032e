import XCTest
@testable import RappiML

final class LearnSplitsTests: XCTestCase {
    let labels: [Int] = (0..<200).map { $0 % 10 < 7 ? 0 : ($0 % 10 < 9 ? 1 : 2) }   // 140 / 40 / 20

    func testStratifiedTrainTestProportionsAndDisjoint() {
        let (train, test) = Splits.stratifiedTrainTest(labels, classCount: 3, testFraction: 0.25, seed: 42)
        XCTAssertEqual(train, train.sorted())
        XCTAssertEqual(test, test.sorted())
        XCTAssertTrue(Set(train).isDisjoint(with: test))
        XCTAssertEqual(Set(train).union(test), Set(0..<200))
        XCTAssertEqual(test.count, 50)
        let testCounts = (0..<3).map { c in test.filter { labels[$0] == c }.count }
        XCTAssertEqual(testCounts, [35, 10, 5])
        // Same seed, same split; another seed, another split.
        XCTAssertEqual(Splits.stratifiedTrainTest(labels, classCount: 3, testFraction: 0.25, seed: 42).test, test)
        XCTAssertNotEqual(Splits.stratifiedTrainTest(labels, classCount: 3, testFraction: 0.25, seed: 43).test, test)
    }

    func testEveryClassOnBothSides() {
        let y = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2]
        let (train, test) = Splits.stratifiedTrainTest(y, classCount: 3, testFraction: 0.1, seed: 1)
        XCTAssertEqual(Set(test.map { y[$0] }), [0, 1])        // class 2 has a single row: train only
        XCTAssertEqual(Set(train.map { y[$0] }), [0, 1, 2])
        let (_, none) = Splits.stratifiedTrainTest(y, classCount: 3, testFraction: 0.9, seed: 1)
        XCTAssertEqual(Set(none.map { y[$0] }), [0, 1])        // ≥ 1 row of each class stays in train
    }

    func testKFoldCoversEveryRowOnce() {
        let folds = Splits.stratifiedKFold(labels, classCount: 3, folds: 5, seed: 7)
        XCTAssertEqual(folds.count, 5)
        var seen = [Int](repeating: 0, count: 200)
        for fold in folds {
            for r in fold.test { seen[r] += 1 }
            XCTAssertTrue(Set(fold.train).isDisjoint(with: fold.test))
            XCTAssertEqual(fold.train.count + fold.test.count, 200)
            XCTAssertEqual(fold.test.count, 40)
            XCTAssertEqual((0..<3).map { c in fold.test.filter { labels[$0] == c }.count }, [28, 8, 4])
            XCTAssertEqual(fold.test, fold.test.sorted())
        }
        XCTAssertEqual(seen, [Int](repeating: 1, count: 200))
        let again = Splits.stratifiedKFold(labels, classCount: 3, folds: 5, seed: 7)
        XCTAssertEqual(again.map(\.test), folds.map(\.test))
    }

    func testKFoldSizesDifferByAtMostOne() {
        let y = (0..<23).map { $0 % 3 == 0 ? 1 : 0 }
        let sizes = Splits.stratifiedKFold(y, classCount: 2, folds: 4, seed: 3).map(\.test.count)
        XCTAssertEqual(sizes.reduce(0, +), 23)
        XCTAssertLessThanOrEqual(sizes.max()! - sizes.min()!, 1)
    }
}
