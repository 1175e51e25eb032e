import RappiML
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

    public var ok: Bool { error == nil }

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
