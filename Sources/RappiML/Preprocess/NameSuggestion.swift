/// "did you mean …?" for column names: the closest candidate by edit distance, when close enough.
enum NameSuggestion {
    /// The candidate nearest to `name` (case-insensitive Levenshtein distance), if its distance is
    /// at most a third of the longer name (at least 1, at most 3). Ties go to the earlier candidate.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let a = Array(name.lowercased())
        var best: (String, Int)?
        for c in candidates {
            let b = Array(c.lowercased())
            let limit = Swift.min(3, Swift.max(1, Swift.max(a.count, b.count) / 3))
            let d = distance(a, b)
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }

    /// ` — did you mean 'X'?` or an empty string.
    static func hint(for name: String, among candidates: [String]) -> String {
        closest(to: name, among: candidates).map { " — did you mean '\($0)'?" } ?? ""
    }

    static func distance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
