/// `"${name}"` inside a string takes the value of `name` (a parameter, variable or published value).
enum StringInterpolation {
    /// The names a string refers to, in order.
    static func names(in text: String) -> [String] {
        var names: [String] = []
        _ = interpolate(text) { name in names.append(name); return nil }
        return names
    }

    /// The string with each `${name}` replaced; a name `lookup` does not know stays as written.
    static func interpolate(_ text: String, lookup: (String) -> Value?) -> String {
        guard text.contains("${") else { return text }
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { break }
            let name = String(rest[open.upperBound..<close])
            out += lookup(name)?.description ?? "${\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}
