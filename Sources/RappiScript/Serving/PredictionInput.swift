import Foundation
import RappiML

/// Records to predict on, read from a CSV file or a folder of them.
enum PredictionInput {
    static func frame(from path: URL, call: BoundCall) throws -> DataFrame {
        var files = [path]
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory), isDirectory.boolValue {
            files = try FileManager.default.contentsOfDirectory(at: path, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension.lowercased() == "csv" }.sorted { $0.path < $1.path }
            guard !files.isEmpty else { throw call.error("folder \(path.path) has no .csv files", at: "path") }
        }
        var frame = try CSVReader.read(path: files[0].path).frame
        for file in files.dropFirst() { try frame.append(CSVReader.read(path: file.path).frame) }
        return frame
    }
}

/// A small table of predictions for records given inline or sent to an endpoint.
enum PredictionTable {
    static func result(records: [[String: Any]], labels: [String], probabilities: [[Double]?], classes: [String],
                       source: String) -> CommandResult {
        let shown = min(records.count, 20)
        let keys = records.first.map { Array($0.keys).sorted().prefix(3) }.map(Array.init) ?? []
        var table = TextTable(["row"] + keys + ["prediction"] + (probabilities.first??.isEmpty == false ? classes.map { "p(\($0))" } : []))
        for row in 0..<shown {
            var cells = [String(row)] + keys.map { records[row][$0].map { "\($0)" } ?? "" } + [labels[row]]
            if let p = probabilities[row] { cells += p.map { String(format: "%.4f", $0) } }
            table.add(cells)
        }
        var text = "\(records.count) prediction\(records.count == 1 ? "" : "s") (\(source))\n" + table.render()
        if shown < records.count { text += "\n… \(records.count - shown) more" }
        return CommandResult(text, values: [("predictions", .int(records.count)), ("prediction", .string(labels.first ?? ""))])
    }
}
