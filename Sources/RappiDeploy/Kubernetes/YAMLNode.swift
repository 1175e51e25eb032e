import RappiML

/// A YAML value and its block-style text: the one emitter for the Kubernetes manifests. Maps keep
/// their order; every string is written double-quoted with JSON escapes (valid YAML 1.2), so no
/// value can turn into another type or break the structure (`"on"`, `"0440"`, `": "`).
public indirect enum YAMLNode: Sendable, Equatable {
    case map([(String, YAMLNode)])
    case list([YAMLNode])
    case string(String)
    case int(Int)
    case bool(Bool)

    public static func == (a: YAMLNode, b: YAMLNode) -> Bool { a.text == b.text }

    /// One YAML document, ending in a newline.
    public var text: String {
        var out = ""
        write(into: &out, indent: 0)
        return out
    }

    /// The value at `path` of nested maps (`["spec", "template", "metadata"]`), for checks and tests.
    public subscript(path: String...) -> YAMLNode? {
        var node: YAMLNode? = self
        for key in path {
            guard case .map(let members)? = node else { return nil }
            node = members.first { $0.0 == key }?.1
        }
        return node
    }

    private var isEmptyCollection: Bool {
        switch self {
        case .map(let m): return m.isEmpty
        case .list(let l): return l.isEmpty
        default: return false
        }
    }

    private var scalar: String {
        switch self {
        case .string(let s): return JSONText.quote(s)
        case .int(let v): return String(v)
        case .bool(let b): return b ? "true" : "false"
        case .map: return "{}"
        case .list: return "[]"
        }
    }

    private var isBlock: Bool {
        switch self {
        case .map, .list: return !isEmptyCollection
        default: return false
        }
    }

    private func write(into out: inout String, indent: Int) {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .map(let members) where !members.isEmpty:
            for (key, value) in members {
                out += pad + Self.key(key) + ":"
                if value.isBlock {
                    out += "\n"
                    value.write(into: &out, indent: indent + 2)
                } else {
                    out += " " + value.scalar + "\n"
                }
            }
        case .list(let items) where !items.isEmpty:
            for item in items {
                if item.isBlock {
                    // The first member goes on the dash's line, the rest under it.
                    var nested = ""
                    item.write(into: &nested, indent: indent + 2)
                    out += pad + "- " + nested.dropFirst(indent + 2)
                } else {
                    out += pad + "- " + item.scalar + "\n"
                }
            }
        default:
            out += pad + scalar + "\n"
        }
    }
}

extension YAMLNode {
    /// Keys are plain when they are simple names (`app.kubernetes.io/name`), else quoted.
    static func key(_ original: String) -> String {
        let plain = !original.isEmpty && original.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "._/-".unicodeScalars.contains($0)
        } && !("0"..."9").contains(original.unicodeScalars.first!) && !["true", "false", "yes", "no", "on", "off", "null", "y", "n"].contains(original.lowercased())
        return plain ? original : JSONText.quote(original)
    }
}
