import Foundation

/// A path of the Open Inference Protocol (KServe v2 REST): `/v2`, `/v2/health/{live,ready}` and
/// `/v2/models/NAME[/versions/V][/ready|/infer]`. Names and versions are percent-decoded.
enum InferencePath: Equatable, Sendable {
    case server
    case live
    case ready
    case model(name: String, version: String?)
    case modelReady(name: String, version: String?)
    case infer(name: String, version: String?)

    // Parsed as UTF-8 bytes, not Characters: every request of the protocol is routed through here
    // (twice: for its metrics label, then to answer), and Character-wise slicing and splitting
    // cost microseconds. Cutting at the ASCII '/' and '?' keeps each piece valid UTF-8.
    init?(path: String) {
        var p = ArraySlice(path.utf8)
        if let q = p.firstIndex(of: UInt8(ascii: "?")) { p = p[..<q] }
        if p.count > 1, p.last == UInt8(ascii: "/") { p = p.dropLast() }
        if p.elementsEqual("/v2".utf8) { self = .server; return }
        if p.elementsEqual("/v2/health/live".utf8) { self = .live; return }
        if p.elementsEqual("/v2/health/ready".utf8) { self = .ready; return }
        let models = "/v2/models/".utf8
        guard p.starts(with: models) else { return nil }
        var parts = p.dropFirst(models.count).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        var action: Substring = ""
        if let last = parts.last, parts.count == 2 || parts.count == 4, last.elementsEqual("ready".utf8) || last.elementsEqual("infer".utf8) {
            action = last.elementsEqual("ready".utf8) ? "ready" : "infer"
            parts.removeLast()
        }
        let version: String?
        switch parts.count {
        case 1: version = nil
        case 3 where parts[1].elementsEqual("versions".utf8): version = Self.decoded(parts[2]) ?? String(decoding: parts[2], as: UTF8.self)
        default: return nil
        }
        guard let name = Self.decoded(parts[0]), !name.isEmpty, version?.isEmpty != true else { return nil }
        switch action {
        case "ready": self = .modelReady(name: name, version: version)
        case "infer": self = .infer(name: name, version: version)
        default: self = .model(name: name, version: version)
        }
    }

    /// The percent-decoded text, nil for an invalid escape. Foundation's decoder is only asked
    /// when there is a '%' to decode: it alone cost as much as the rest of the routing.
    private static func decoded(_ bytes: ArraySlice<UInt8>) -> String? {
        let text = String(decoding: bytes, as: UTF8.self)
        return bytes.contains(UInt8(ascii: "%")) ? text.removingPercentEncoding : text
    }

    /// `POST …/infer`; every other path is a GET.
    var isInfer: Bool {
        if case .infer = self { return true }
        return false
    }

    /// The model a path names, with the version when given.
    var model: (name: String, version: String?)? {
        switch self {
        case .model(let n, let v), .modelReady(let n, let v), .infer(let n, let v): return (n, v)
        case .server, .live, .ready: return nil
        }
    }
}
