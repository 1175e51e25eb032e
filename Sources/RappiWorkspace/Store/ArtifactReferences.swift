import Foundation

/// Every place the workspace names a blob by its SHA-256, as (hash, where) pairs: dataset and
/// model versions, the scripts runs executed, the charts cells drew, the models pipeline steps
/// left in their session state, and what endpoints and experiments serve.
/// JSON columns are searched for any 64-hex-digit word, so a hash stored under a new key is still
/// seen: `workspace gc` errs on the side of keeping a blob.
extension Workspace {
    func artifactReferences() throws -> [(hash: String, place: String)] {
        var found: [(String, String)] = []
        let columns: [(sql: String, place: (SQLValue) -> String)] = [
            ("SELECT d.name || ' v' || v.version, v.content_hash FROM dataset_versions v JOIN datasets d ON d.id = v.dataset_id", { "dataset \($0.string ?? "?")" }),
            ("SELECT m.name || ' v' || v.version, v.content_hash FROM model_versions v JOIN models m ON m.id = v.model_id", { "model \($0.string ?? "?")" }),
            ("SELECT id, script_hash FROM runs WHERE script_hash IS NOT NULL", { "the script of run \($0.int ?? 0)" }),
            ("SELECT name, model_hash FROM endpoints", { "endpoint \($0.string ?? "?")" }),
            ("SELECT name, hash_a FROM experiments", { "experiment \($0.string ?? "?")" }),
            ("SELECT name, hash_b FROM experiments", { "experiment \($0.string ?? "?")" }),
        ]
        for column in columns {
            for row in try database.query(column.sql) {
                if let hash = row[1].string { found.append((hash, column.place(row[0]))) }
            }
        }
        let documents: [(sql: String, place: ([SQLValue]) -> String)] = [
            ("SELECT run_id, cell, charts_json FROM run_cell_outputs", { "a chart of run \($0[0].int ?? 0) cell \($0[1].int ?? 0)" }),
            ("SELECT run_id, step, state_json FROM pipeline_steps WHERE state_json IS NOT NULL", { "the state after run \($0[0].int ?? 0) step \($0[1].int ?? 0)" }),
        ]
        for document in documents {
            for row in try database.query(document.sql) {
                guard let text = row[2].string else { continue }
                for hash in Self.hexHashes(in: text) { found.append((hash, document.place(row))) }
            }
        }
        return found
    }

    /// The 64-hex-digit words in `text`.
    static func hexHashes(in text: String) -> [String] {
        var hashes: [String] = []
        var run: [UInt8] = []
        for byte in text.utf8 {
            if (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66) {
                run.append(byte)
            } else {
                if run.count == 64 { hashes.append(String(decoding: run, as: UTF8.self)) }
                run.removeAll(keepingCapacity: true)
            }
        }
        if run.count == 64 { hashes.append(String(decoding: run, as: UTF8.self)) }
        return hashes
    }
}
