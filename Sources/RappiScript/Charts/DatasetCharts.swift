import RappiCharts
import RappiML

/// The picture of `describe`: each column's distribution.
enum DatasetCharts {
    /// Text columns with more distinct values than this (names, ticket numbers) are identifiers, not categories.
    static let maxDistinctCategories = 20

    static func distributions(_ frame: DataFrame, subject: String) -> Chart {
        var panels: [DistributionsChart.Panel] = []
        var skipped: [String] = []
        for column in frame.columns {
            if column.type == .text {
                var counts = [Int](repeating: 0, count: column.levels.count)
                var missing = 0
                for code in column.codes { if code >= 0 { counts[Int(code)] += 1 } else { missing += 1 } }
                let used = counts.indices.filter { counts[$0] > 0 }
                guard used.count <= maxDistinctCategories else { skipped.append(column.name); continue }
                let ranked = used.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
                panels.append(.categories(column: column.name, counts: ranked.map { (column.levels[$0], counts[$0]) },
                                          distinct: used.count, missing: missing))
            } else {
                let values = column.numericValues.filter { !$0.isNaN }
                panels.append(.histogram(column: column.name, values: values, missing: column.numericValues.count - values.count))
            }
        }
        let note = skipped.isEmpty ? nil : "not drawn (more than \(maxDistinctCategories) distinct texts): " + skipped.joined(separator: ", ")
        return DistributionsChart.render(panels, title: "Columns of \(subject)", note: note)
    }
}
