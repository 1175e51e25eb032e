import Foundation
import RappiClient
import RappiWorkspace

/// A remote pipeline worker's line to the workspace server: the run's routes under
/// `/api/worker/runs/{id}`, authorised by the worker token. Not thread-safe: one per thread.
final class WorkerConnection {
    let server: String
    let token: String
    let runID: Int
    private let client = HTTPClient()

    /// The server did not answer at all (as opposed to answering with an error).
    struct Unreachable: Error, CustomStringConvertible { let message: String; var description: String { message } }

    init(server: String, token: String, runID: Int) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
        self.runID = runID
    }

    /// Sends a request and returns the answer's body; an error answer throws with the server's message.
    @discardableResult
    func send(_ method: String, _ path: String, json: [String: Any]? = nil, bytes: [UInt8]? = nil, timeout: Double = 120) throws -> [UInt8] {
        var headers = ["Authorization": "Bearer \(token)"]
        var body = bytes
        if let json {
            headers["Content-Type"] = "application/json"
            body = [UInt8](try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
        } else if bytes != nil {
            headers["Content-Type"] = "application/octet-stream"
        }
        let url = "\(server)/api/worker/runs/\(runID)\(path)"
        let response: HTTPResponse
        do {
            response = try client.send(method, url, headers: headers, body: body, timeout: timeout)
        } catch {
            throw Unreachable(message: "cannot reach the workspace server at \(server): \(error)")
        }
        guard (200..<300).contains(response.status) else {
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
            let message = (object?["error"] as? [String: Any])?["message"] as? String ?? response.text.prefix(200).description
            throw WorkspaceError("the workspace server answered \(response.status) to \(method) \(path.isEmpty ? "/" : path): \(message)")
        }
        return response.body
    }

    func object(_ method: String, _ path: String, json: [String: Any]? = nil) throws -> [String: Any] {
        let body = try send(method, path, json: json)
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw WorkspaceError("the workspace server answered \(method) \(path) with something that is not a JSON object")
        }
        return object
    }
}
