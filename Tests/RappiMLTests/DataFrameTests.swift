import XCTest
@testable import RappiML

final class DataFrameTests: XCTestCase {
    func testHead() throws {
        let f = try parseCSV("a,b,c\n1,2.5,x\n2,,y\n3,4,\n").frame
        XCTAssertEqual(f.head(2), [["1", "2.5", "x"], ["2", nil, "y"]])
        XCTAssertEqual(f.head(10).count, 3)
        XCTAssertEqual(f.head(0).count, 0)
        XCTAssertEqual(f.head(-1).count, 0)
    }

    func testColumnLookupAndNames() throws {
        let f = try parseCSV("a,b\n1,2\n").frame
        XCTAssertEqual(f.columnNames, ["a", "b"])
        XCTAssertEqual(f.column(named: "b")?.double(0), 2)
        XCTAssertNil(f.column(named: "z"))
    }

    func testAppendPromotesTypes() throws {
        var f = try parseCSV("i,r,t,m\n1,1,x,5\n2,2,y,6\n").frame
        let g = try parseCSV("i,r,t,m\n3,2.5,z,hello\n").frame
        XCTAssertEqual(f.columns.map(\.type), [.integer, .integer, .text, .integer])
        try f.append(g)
        XCTAssertEqual(f.rowCount, 3)
        XCTAssertEqual(f.columns.map(\.type), [.integer, .real, .text, .text])
        XCTAssertEqual(f.columns[1].numericValues, [1, 2, 2.5])
        XCTAssertEqual(strings(f.columns[2]), ["x", "y", "z"])
        XCTAssertEqual(f.columns[2].levels, ["x", "y", "z"])
        XCTAssertEqual(strings(f.columns[3]), ["5", "6", "hello"])   // integers re-encoded without ".0"
    }

    func testAppendTextMergesLevelsAndKeepsMissing() throws {
        var f = try parseCSV("t\nb\n\na\n").frame
        try f.append(try parseCSV("t\nc\na\n\"\"\n").frame)
        XCTAssertEqual(f.columns[0].levels, ["b", "a", "c"])
        XCTAssertEqual(f.columns[0].codes, [0, 1, 2, 1, -1])
    }

    func testAppendRealAndTextReencodesReals() throws {
        var f = try parseCSV("v\nq\n").frame
        try f.append(try parseCSV("v\n1.5\n2\n").frame)
        XCTAssertEqual(f.columns[0].type, .text)
        XCTAssertEqual(strings(f.columns[0]), ["q", "1.5", "2.0"])
    }

    func testAppendEmptyOrAllMissingKeepsType() throws {
        var f = try parseCSV("a,b\n1,x\n").frame
        try f.append(try parseCSV("a,b\n").frame)              // header only: both columns "real", no values
        try f.append(try parseCSV("a,b\n,\n").frame)           // all missing
        XCTAssertEqual(f.columns.map(\.type), [.integer, .text])
        XCTAssertEqual(f.rowCount, 2)
        XCTAssertTrue(f.columns[1].isMissing(1))
    }

    func testAppendRejectsDifferentColumns() throws {
        var f = try parseCSV("a,b\n1,2\n").frame
        XCTAssertThrowsError(try f.append(try parseCSV("a,c\n1,2\n").frame)) { e in
            XCTAssertTrue("\(e)".contains("column 2 is 'b' here but 'c'"), "\(e)")
        }
        XCTAssertThrowsError(try f.append(try parseCSV("a\n1\n").frame))
        XCTAssertEqual(f.rowCount, 1)
    }

    func testDescribeNumeric() throws {
        let f = try parseCSV("x,y\n1,2\n2,\n3,2\n4,5\n,\n").frame
        let d = f.describe()
        XCTAssertEqual(d[0].name, "x")
        XCTAssertEqual(d[0].type, .integer)
        XCTAssertEqual(d[0].count, 4)
        XCTAssertEqual(d[0].missing, 1)
        XCTAssertEqual(d[0].unique, 4)
        XCTAssertEqual(d[0].mean, 2.5)
        XCTAssertEqual(d[0].std!, (5.0 / 3.0).squareRoot(), accuracy: 1e-12)   // sample std
        XCTAssertEqual(d[0].min, 1)
        XCTAssertEqual(d[0].max, 4)
        XCTAssertTrue(d[0].top.isEmpty)
        XCTAssertEqual(d[1].count, 3)
        XCTAssertEqual(d[1].unique, 2)
        XCTAssertEqual(d[1].missing, 2)
    }

    func testDescribeSingleValueAndEmpty() throws {
        let d = try parseCSV("x,y\n7,\n").frame.describe()
        XCTAssertEqual(d[0].mean, 7)
        XCTAssertNil(d[0].std)
        XCTAssertEqual(d[1].count, 0)
        XCTAssertNil(d[1].mean)
        XCTAssertNil(d[1].min)
        XCTAssertEqual(d[1].unique, 0)
    }

    func testDescribeTextTopWithDeterministicTies() throws {
        let f = try parseCSV("s\nb\nc\na\nc\nd\na\nb\n\"\"\nd\n").frame
        let d = f.describe()[0]
        XCTAssertEqual(d.type, .text)
        XCTAssertEqual(d.count, 8)
        XCTAssertEqual(d.missing, 1)
        XCTAssertEqual(d.unique, 4)
        XCTAssertNil(d.mean)
        // all four appear twice: ties broken by first appearance b, c, a, d
        XCTAssertEqual(d.top.map(\.value), ["b", "c", "a"])
        XCTAssertEqual(d.top.map(\.count), [2, 2, 2])
        let e = try parseCSV("s\nx\ny\ny\nz\n").frame.describe()[0]
        XCTAssertEqual(e.top.map(\.value), ["y", "x", "z"])
        XCTAssertEqual(e.top.map(\.count), [2, 1, 1])
    }

    func testColumnInitializers() {
        let t = Column(name: "t", strings: ["a", nil, "b", "a"])
        XCTAssertEqual(t.levels, ["a", "b"])
        XCTAssertEqual(t.codes, [0, -1, 1, 0])
        XCTAssertEqual(t.count, 4)
        XCTAssertTrue(t.numericValues.isEmpty)
        XCTAssertNil(t.double(0))
        let n = Column(name: "n", type: .real, values: [1.25, .nan])
        XCTAssertEqual(n.string(0), "1.25")
        XCTAssertTrue(n.isMissing(1))
        XCTAssertTrue(n.codes.isEmpty && n.levels.isEmpty)
        let f = DataFrame(columns: [t, Column(name: "n", type: .integer, values: [1, 2, .nan, 4])])
        XCTAssertEqual(f.rowCount, 4)
        XCTAssertEqual(f.head(1), [["a", "1"]])
    }
}
