/// A path of the Open Inference Protocol (KServe v2 REST): `/v2`, `/v2/health/{live,ready}` and
/// `/v2/models/NAME[/versions/V][/ready|/infer]`. Names and versions are percent-decoded.
enum InferencePath: Equatable, Sendable {
    case server
    case live
    case ready
    case model(name: String, version: String?)
    case modelReady(name: String, version: String?)
    case infer(name: String, version: String?)

    init?(path: String) {
        var p = Substring(path)
        if let q = p.firstIndex(of: "?") { p = p[..<q] }
        if p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        switch p {
        case "/v2": self = .server; return
        case "/v2/health/live": self = .live; return
        case "/v2/health/ready": self = .ready; return
        default: break
        }
        guard p.hasPrefix("/v2/models/") else { return nil }
        var parts = p.dropFirst("/v2/models/".count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var action = ""
        if let last = parts.last, parts.count == 2 || parts.count == 4, last == "ready" || last == "infer" {
            action = last
            parts.removeLast()
        }
        let version: String?
        switch parts.count {
        case 1: version = nil
        case 3 where parts[1] == "versions": version = parts[2].removingPercentEncoding ?? parts[2]
        default: return nil
        }
        guard let name = parts[0].removingPercentEncoding, !name.isEmpty, version?.isEmpty != true else { return nil }
        switch action {
        case "ready": self = .modelReady(name: name, version: version)
        case "infer": self = .infer(name: name, version: version)
        default: self = .model(name: name, version: version)
        }
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
