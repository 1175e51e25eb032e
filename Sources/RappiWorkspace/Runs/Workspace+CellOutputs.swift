import Foundation
import RappiML

/// A chart a cell drew, kept as an SVG artifact (kind `chart`) named by its hash.
public struct StoredChart: Sendable, Equatable {
    public let name: String
    public let title: String
    public let hash: String

    public init(name: String, title: String, hash: String) {
        self.name = name; self.title = title; self.hash = hash
    }
}

/// What a recorded cell showed: its text and its charts.
public struct RunCellOutput: Sendable {
    public let output: String
    public let charts: [StoredChart]
}

extension Workspace {
    /// Stores a cell's text and charts next to its `run_cells` row; the SVGs become artifacts
    /// (identical charts are stored once).
    @discardableResult
    public func recordCellOutput(run: Int, cell: Int, output: String, charts: [(name: String, title: String, svg: String)]) throws -> [StoredChart] {
        let stored = try charts.map { chart in
            StoredChart(name: chart.name, title: chart.title, hash: try storeArtifact(Array(chart.svg.utf8), kind: "chart"))
        }
        let json = JSONText.array(stored.map {
            JSONText.object([("name", JSONText.quote($0.name)), ("title", JSONText.quote($0.title)), ("sha256", JSONText.quote($0.hash))])
        })
        try database.run("INSERT OR REPLACE INTO run_cell_outputs (run_id, cell, output, charts_json) VALUES (?, ?, ?, ?)",
                         [SQLValue(run), SQLValue(cell), .text(output), .text(json)])
        return stored
    }

    /// Each recorded cell's output by cell number (runs recorded before outputs were kept have none).
    public func cellOutputs(run: Int) throws -> [Int: RunCellOutput] {
        var outputs: [Int: RunCellOutput] = [:]
        for row in try database.query("SELECT cell, output, charts_json FROM run_cell_outputs WHERE run_id = ?", [SQLValue(run)]) {
            let list = (try? JSONSerialization.jsonObject(with: Data((row[2].string ?? "[]").utf8))) as? [[String: String]] ?? []
            let charts = list.compactMap { entry -> StoredChart? in
                guard let name = entry["name"], let title = entry["title"], let hash = entry["sha256"] else { return nil }
                return StoredChart(name: name, title: title, hash: hash)
            }
            outputs[try row.integer(0, "run_cell_outputs.cell")] = RunCellOutput(output: row[1].string ?? "", charts: charts)
        }
        return outputs
    }

    /// The SVG text of a stored chart.
    public func chartSVG(_ chart: StoredChart) throws -> String {
        String(decoding: try artifacts.read(chart.hash), as: UTF8.self)
    }

    /// Where a stored chart's file lies in the workspace (for `--json` and people who want the file).
    public func artifactPath(_ hash: String) -> String {
        artifacts.url(for: hash).path
    }
}
