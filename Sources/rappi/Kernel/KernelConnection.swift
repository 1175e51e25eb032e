import Foundation

/// The connection file Jupyter writes for a kernel: where to listen and the signing key.
struct KernelConnection: Decodable {
    let transport: String
    let ip: String
    let key: String
    let signatureScheme: String
    let shellPort: Int
    let controlPort: Int
    let stdinPort: Int
    let iopubPort: Int
    let hbPort: Int

    enum CodingKeys: String, CodingKey {
        case transport, ip, key
        case signatureScheme = "signature_scheme"
        case shellPort = "shell_port", controlPort = "control_port", stdinPort = "stdin_port"
        case iopubPort = "iopub_port", hbPort = "hb_port"
    }

    static func read(path: String) throws -> KernelConnection {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KernelSetupError("cannot read connection file '\(path)' — Jupyter passes it as `rappi kernel -f {connection_file}`")
        }
        let connection: KernelConnection
        do { connection = try JSONDecoder().decode(KernelConnection.self, from: data) } catch {
            throw KernelSetupError("connection file '\(path)' is not a Jupyter connection file: \(error)")
        }
        guard connection.signatureScheme == "hmac-sha256" else {
            throw KernelSetupError("connection file '\(path)' asks for signature_scheme '\(connection.signatureScheme)'; rappi signs with hmac-sha256 only")
        }
        return connection
    }

    func address(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }
}

struct KernelSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
