/// One numeric feature whose missing values are replaced by the median of the value within a group
/// (for example Age by Title), learned on the training rows; a group never seen with a value falls
/// back to the overall median.
struct GroupMedianImputer: Sendable, Equatable {
    let column: String
    let group: String
    /// Sorted group names, parallel to `medians`.
    let groups: [String]
    let medians: [Double]
    let fallback: Double

    /// `values` and `groups` are parallel (training rows only); nil when there is no value at all.
    static func fit(column: String, values: [Double], group: String, groupValues: [String?]) -> GroupMedianImputer? {
        guard let overall = Statistics.median(values) else { return nil }
        var byGroup: [String: [Double]] = [:]
        for (v, g) in zip(values, groupValues) where !v.isNaN {
            if let g { byGroup[g, default: []].append(v) }
        }
        let names = byGroup.keys.sorted()
        return GroupMedianImputer(column: column, group: group, groups: names,
                                  medians: names.map { Statistics.median(byGroup[$0]!)! }, fallback: overall)
    }

    func fill(for group: String?) -> Double {
        guard let group, let i = groups.firstIndex(of: group) else { return fallback }
        return medians[i]
    }

    func apply(_ values: [Double], groups groupValues: [String?]) -> [Double] {
        zip(values, groupValues).map { v, g in v.isNaN ? fill(for: g) : v }
    }

    init(column: String, group: String, groups: [String], medians: [Double], fallback: Double) {
        self.column = column
        self.group = group
        self.groups = groups
        self.medians = medians
        self.fallback = fallback
    }

    func encode(to writer: inout BinaryWriter) {
        writer.write(column)
        writer.write(group)
        writer.write(groups)
        writer.write(medians)
        writer.write(fallback)
    }

    init(from reader: inout BinaryReader) throws {
        column = try reader.readString()
        group = try reader.readString()
        groups = try reader.readStrings()
        medians = try reader.readDoubles()
        fallback = try reader.readDouble()
        guard groups.count == medians.count else {
            throw BinaryReader.Failure(message: "model file is damaged: group imputer for '\(column)' has \(groups.count) groups but \(medians.count) medians")
        }
    }
}
