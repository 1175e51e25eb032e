import RappiML
import RappiWorkspace
import Foundation
import RappiCharts
import RappiWorkspace

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
    /// Pictures of the result (empty for most commands and for failures).
    public var charts: [Chart] = []
    /// Where the run stored the charts (set once recorded; listed by `--json` as `charts`).
    public var chartFiles: [String] = []

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
        if !chartFiles.isEmpty { fields.append(("charts", JSONText.array(chartFiles.map(JSONText.quote)))) }
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

extension Workspace {
    /// Records a cell of a run — the statement, its values, what it printed and its charts (as
    /// SVG artifacts) — the same way for scripts, REPL and kernel sessions. Returns the chart files.
    @discardableResult
    public func record(_ cell: CellResult, run: Int) throws -> [String] {
        try recordCell(run: run, cell.record())  // secrets redacted
        let charts = try recordCellOutput(run: run, cell: cell.cell, output: cell.recordedOutput,
                                          charts: cell.charts.map { ($0.name, $0.title, $0.svg) })
        return charts.map { artifactPath($0.hash) }
    }
}
