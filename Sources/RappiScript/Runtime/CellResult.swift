import RappiML
import RappiWorkspace
import Foundation

/// The outcome of one statement, shown as a numbered cell.
public struct CellResult {
    public let cell: Int
    public let statement: String
    public let position: SourcePosition
    public let output: String
    public let values: PublishedValues
    public let error: ScriptError?
    public let durationSeconds: Double
    /// Secrets the statement revealed (a new token, an API key): shown once, never recorded.
    public var secrets: [String] = []

    public var ok: Bool { error == nil }

    /// The values as run records keep them: a string holding a secret becomes `[redacted]`.
    public var recordedValues: PublishedValues {
        guard !secrets.isEmpty else { return values }
        return values.map { item in
            guard case .string(let text) = item.value else { return item }
            return (item.name, .string(SecretRedaction.redacting(secrets, in: text)))
        }
    }

    /// The output as step logs keep it, secrets redacted.
    public var recordedOutput: String { SecretRedaction.redacting(secrets, in: output) }

    /// The cell as the run's record stores it.
    public func record() -> RunCellRecord {
        RunCellRecord(cell: cell, line: position.line, statement: SecretRedaction.redacting(secrets, in: statement), ok: ok,
                      valuesJSON: recordedValues.jsonObject,
                      error: error?.description, durationMilliseconds: durationSeconds * 1000)
    }

    /// One line of the `--json` protocol:
    /// `{"cell":N,"line":L,"statement":"…","ok":true,"values":{…},"output":"…"}`, or on failure
    /// `…,"ok":false,"error":{"message":"…","line":L,"column":C}`.
    public var jsonLine: String {
        var fields: [(String, String)] = [
            ("cell", String(cell)),
            ("line", String(position.line)),
            ("statement", JSONText.quote(statement)),
            ("ok", ok ? "true" : "false"),
            ("values", values.jsonObject),
            ("output", JSONText.quote(output)),
            ("duration_ms", String(format: "%.3f", durationSeconds * 1000)),
        ]
        if let error {
            fields.append(("error", JSONText.object([
                ("message", JSONText.quote(error.message)),
                ("line", String(error.position.line)),
                ("column", String(error.position.column)),
            ])))
        }
        return JSONText.object(fields)
    }
}
