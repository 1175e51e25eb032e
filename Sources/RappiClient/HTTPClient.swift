import CCurl
import Foundation

/// An HTTP response as the client saw it.
public struct HTTPResponse: Sendable {
    public let status: Int
    public let body: [UInt8]
    public let headers: [(name: String, value: String)]
    public let seconds: Double

    public var text: String { String(decoding: body, as: UTF8.self) }

    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}

/// A small synchronous HTTP client over libcurl's easy interface. One client reuses its
/// connection between requests (keep-alive); use one client per thread.
public final class HTTPClient {
    private let handle: UnsafeMutableRawPointer
    /// Which HTTPS certificates it accepts.
    public let trust: ServerTrust

    static let globalInit: Void = { curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()

    public init(trust: ServerTrust = .system) {
        _ = Self.globalInit
        handle = curl_easy_init()
        self.trust = trust
    }

    deinit { curl_easy_cleanup(handle) }

    public func get(_ url: String, headers: [String: String] = [:], timeout: Double = 30) throws -> HTTPResponse {
        try send("GET", url, headers: headers, body: nil, timeout: timeout)
    }

    public func post(_ url: String, json: String, headers: [String: String] = [:], timeout: Double = 30) throws -> HTTPResponse {
        var all = headers
        all["Content-Type"] = all["Content-Type"] ?? "application/json"
        return try send("POST", url, headers: all, body: Array(json.utf8), timeout: timeout)
    }

    public func send(_ method: String, _ url: String, headers: [String: String], body: [UInt8]?, timeout: Double) throws -> HTTPResponse {
        curl_easy_reset(handle)
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passRetained(sink).toOpaque()
        defer { Unmanaged<ResponseSink>.fromOpaque(sinkPointer).release() }

        rappi_curl_setopt_string(handle, CURLOPT_URL, url)
        rappi_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        rappi_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        rappi_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        rappi_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 10) * 1000))
        trust.apply(to: handle)
        rappi_curl_setopt_write(handle, curlWriteBody)
        rappi_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer)
        rappi_curl_setopt_write_header(handle, curlWriteHeader)
        rappi_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer)

        var list: UnsafeMutablePointer<curl_slist>?
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { list = curl_slist_append(list, "\(name): \(value)") }
        list = curl_slist_append(list, "Expect:")  // no 100-continue round trip for large bodies
        defer { curl_slist_free_all(list) }
        rappi_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, list)

        let started = Date()
        let code: CURLcode = {
            guard let body else { return curl_easy_perform(handle) }
            return body.withUnsafeBufferPointer { buffer in
                rappi_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, buffer.count)
                rappi_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: buffer.baseAddress))
                return curl_easy_perform(handle)
            }
        }()
        guard code == CURLE_OK else {
            throw HTTPClientError(message: "\(method) \(url) failed: \(trust.explain(code))")
        }
        var status = 0
        rappi_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, body: sink.body, headers: sink.headers, seconds: Date().timeIntervalSince(started))
    }
}

private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
}

private func curlWriteBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: data, count: size * count)
    sink.body.append(contentsOf: bytes)
    return size * count
}

private func curlWriteHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self)
    if line.hasPrefix("HTTP/") { sink.headers = [] }  // a new response (after a redirect or 100)
    if let colon = line.firstIndex(of: ":") {
        let name = line[..<colon].trimmingCharacters(in: .whitespaces)
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        sink.headers.append((name, value))
    }
    return size * count
}
