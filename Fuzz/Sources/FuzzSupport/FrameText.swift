import RappiML

/// A frame as canonical text — names, types and every cell — so two ways of building a frame
/// can be compared for exact agreement (`DataFrame` is not `Equatable`).
public enum FrameText {
    public static func describe(_ frame: DataFrame) -> String {
        var out = ""
        for column in frame.columns {
            out += "\(column.name):\(column.type.rawValue):\(column.count)["
            for row in 0..<column.count {
                if column.isMissing(row) { out += "NA|"; continue }
                if column.type.isNumeric { out += "\(column.double(row).map { $0.bitPattern } ?? 0)|" } else { out += "\(column.string(row) ?? "")|" }
            }
            out += "]\n"
        }
        return out
    }
}
