import Foundation

/// The cells this kernel ran, for `history_request` (front ends use it for ↑ in a console and for
/// `%history`-like views): `tail`, `range` and `search` as the protocol defines them. The session
/// number is the kernel's run id, the line number the cell's execution count.
struct KernelHistory {
    struct Entry {
        let line: Int
        let input: String
        /// The cell's result text (its Out[n]), if it had one.
        var output: String?
    }

    private(set) var entries: [Entry] = []
    let session: Int

    init(session: Int) { self.session = session }

    mutating func record(line: Int, input: String) {
        entries.append(Entry(line: line, input: input))
    }

    mutating func setOutput(_ output: String, line: Int) {
        if let index = entries.lastIndex(where: { $0.line == line }) { entries[index].output = output }
    }

    /// The reply's `history` list for a request's content: `[session, line, input]` triples, or
    /// `[session, line, [input, output]]` when `output` is asked for.
    func reply(_ request: [String: Any]) -> [Any] {
        let withOutput = request["output"] as? Bool ?? false
        let chosen: [Entry]
        switch request["hist_access_type"] as? String ?? "tail" {
        case "range":
            let asked = request["session"] as? Int ?? 0
            // 0 and negative sessions count back from the current one; this kernel knows only its own.
            guard asked == session || asked == 0 else { return [] }
            let start = request["start"] as? Int ?? 0, stop = request["stop"] as? Int ?? Int.max
            chosen = entries.filter { $0.line >= start && $0.line < stop }
        case "search":
            let pattern = request["pattern"] as? String ?? "*"
            var matches = entries.filter { Self.glob(pattern, matches: $0.input) }
            if request["unique"] as? Bool ?? false {
                var seen = Set<String>()
                matches = matches.reversed().filter { seen.insert($0.input).inserted }.reversed()
            }
            chosen = Array(matches.suffix(request["n"] as? Int ?? matches.count))
        default:
            chosen = Array(entries.suffix(max(0, request["n"] as? Int ?? entries.count)))
        }
        return chosen.map { entry -> [Any] in
            [session, entry.line, withOutput ? [entry.input, entry.output as Any? ?? NSNull()] as [Any] : entry.input]
        }
    }

    /// `*` any run of characters, `?` one character — the glob IPython's history search takes.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var pi = 0, ti = 0, star = -1, mark = 0
        while ti < t.count {
            if pi < p.count, p[pi] == "?" || p[pi] == t[ti] {
                pi += 1; ti += 1
            } else if pi < p.count, p[pi] == "*" {
                star = pi; mark = ti; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ti = mark
            } else {
                return false
            }
        }
        while pi < p.count, p[pi] == "*" { pi += 1 }
        return pi == p.count
    }
}
