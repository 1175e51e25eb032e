import Foundation
import RappiML

/// Records as the endpoints take them: `{"data": [ {…}, … ]}` built from a JSON block or a CSV.
enum RecordJSON {
    /// A `{…}` block from a statement: one record or a list of records.
    static func records(fromBlock text: String) throws -> [[String: Any]] {
        let data = Data(("{" + text + "}").utf8)
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            // `{[ … ]}`: a list written inside the braces.
            if let list = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]] { return list }
            throw CommandFailure("the { … } record is not valid JSON — write it as {\"Name\": \"Doe, Mr. John\", \"Age\": 22}")
        }
        if let record = object as? [String: Any] {
            if let list = record["data"] as? [[String: Any]] { return list }
            return [record]
        }
        throw CommandFailure("the { … } record must be a JSON object of field values")
    }

    /// Every row of a frame as a record (numbers as numbers, missing values left out).
    static func records(from frame: DataFrame, rows: [Int]? = nil, dropping: Set<String> = []) -> [[String: Any]] {
        (rows ?? Array(0..<frame.rowCount)).map { row in
            var record: [String: Any] = [:]
            for column in frame.columns where !dropping.contains(column.name) {
                guard !column.isMissing(row) else { continue }
                if column.type == .text { record[column.name] = column.string(row) ?? "" }
                else if let value = column.double(row) {
                    record[column.name] = column.type == .integer ? Int(value) as Any : value as Any
                }
            }
            return record
        }
    }

    /// `{"data": [...]}` with keys sorted, so the same records always give the same bytes.
    static func scoreBody(_ records: [[String: Any]]) throws -> [UInt8] {
        Array(try JSONSerialization.data(withJSONObject: ["data": records], options: [.sortedKeys]))
    }
}
