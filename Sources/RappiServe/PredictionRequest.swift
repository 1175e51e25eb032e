import RappiML

/// Turns a parsed request body into records (an object's members, in order), for the two body
/// styles: Azure ML's `{"data": …}` on /score and MLflow's three forms on /invocations.
enum PredictionRequest {
    static let scoreShape = #"expected a JSON object {"data": [{...record...}, ...]} — a non-empty list of records, each an object of field values (a single record {"data": {...}} is also accepted)"#
    static let invocationsShape = #"expected a JSON object with one of {"dataframe_records": [{...}, ...]}, {"dataframe_split": {"columns": [...], "data": [[...], ...]}} or {"instances": [...]} (records, or arrays of values in input-column order)"#

    /// Records from a /score body.
    static func scoreRecords(_ body: JSONValue) throws -> [JSONRecord] {
        guard case .object = body else { throw shape(scoreShape, got: "the body is \(body.kind)") }
        guard let data = body["data"] else { throw shape(scoreShape, got: "the body has no \"data\" key") }
        switch data {
        case .object: return [try record(data, row: 0, shape: scoreShape)]
        case .array(let items):
            guard !items.isEmpty else { throw shape(scoreShape, got: "\"data\" is an empty list") }
            return try items.enumerated().map { try record($1, row: $0, shape: scoreShape) }
        default:
            throw shape(scoreShape, got: "\"data\" is \(data.kind)")
        }
    }

    /// Records from an /invocations body.
    static func invocationRecords(_ body: JSONValue, inputs: [InputColumn]) throws -> [JSONRecord] {
        guard case .object = body else { throw shape(invocationsShape, got: "the body is \(body.kind)") }
        if let records = body["dataframe_records"] {
            guard case .array(let items) = records else { throw shape(invocationsShape, got: "\"dataframe_records\" is \(records.kind)") }
            guard !items.isEmpty else { throw shape(invocationsShape, got: "\"dataframe_records\" is an empty list") }
            return try items.enumerated().map { try record($1, row: $0) }
        }
        if let split = body["dataframe_split"] {
            return try splitRecords(split)
        }
        if let instances = body["instances"] ?? body["inputs"] {
            guard case .array(let items) = instances else { throw shape(invocationsShape, got: "\"instances\" is \(instances.kind)") }
            guard !items.isEmpty else { throw shape(invocationsShape, got: "\"instances\" is an empty list") }
            let names = inputs.map(\.name)
            return try items.enumerated().map { row, item in
                if case .array(let values) = item { return try positional(values, names: names, row: row) }
                return try record(item, row: row)
            }
        }
        throw shape(invocationsShape, got: "the body has none of those keys")
    }

    private static func splitRecords(_ split: JSONValue) throws -> [JSONRecord] {
        guard case .object = split, case .array(let columnValues)? = split["columns"], case .array(let rows)? = split["data"] else {
            throw shape(invocationsShape, got: "\"dataframe_split\" needs \"columns\" (a list of names) and \"data\" (a list of rows)")
        }
        var columns: [String] = []
        for c in columnValues {
            guard case .string(let name) = c else { throw shape(invocationsShape, got: "a \"dataframe_split\" column name is \(c.kind)") }
            guard !columns.contains(name) else {
                throw shape(invocationsShape, got: "the \"dataframe_split\" column '\(name.prefix(60))' is given twice")
            }
            columns.append(name)
        }
        guard !columns.isEmpty else { throw shape(invocationsShape, got: "\"dataframe_split\".\"columns\" is an empty list") }
        guard !rows.isEmpty else { throw shape(invocationsShape, got: "\"dataframe_split\".\"data\" is an empty list") }
        return try rows.enumerated().map { row, item in
            guard case .array(let values) = item else {
                throw APIError.invalidInput("\"dataframe_split\" row \(row) is \(item.kind); expected a list of \(columns.count) values",
                                            details: [RecordError(row: row, field: "", problem: "expected a list of \(columns.count) values, got \(item.kind)")])
            }
            return try positional(values, names: columns, row: row)
        }
    }

    private static func positional(_ values: [JSONValue], names: [String], row: Int) throws -> JSONRecord {
        guard values.count == names.count else {
            let problem = "expected \(names.count) values (\(names.prefix(20).joined(separator: ", "))\(names.count > 20 ? ", …" : "")), got \(values.count)"
            throw APIError.invalidInput("row \(row) has \(values.count) values; \(problem)",
                                        details: [RecordError(row: row, field: "", problem: problem)])
        }
        return zip(names, values).map { (key: $0, value: $1) }
    }

    private static func record(_ value: JSONValue, row: Int, shape: String = invocationsShape) throws -> JSONRecord {
        guard case .object(let members) = value else {
            throw APIError.invalidInput("record \(row) is \(value.kind), not an object of field values; \(shape)",
                                        details: [RecordError(row: row, field: "", problem: "expected an object, got \(value.kind)")])
        }
        return members
    }

    private static func shape(_ expected: String, got: String) -> APIError {
        APIError.invalidInput("\(got); \(expected)")
    }
}
