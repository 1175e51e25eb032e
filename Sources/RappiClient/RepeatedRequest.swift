import CCurl
import Foundation

/// One request configured once and sent many times over a kept-alive connection: what a load
/// generator needs. Unlike `HTTPClient.send`, nothing is rebuilt per request and the response
/// body is counted, not kept, so the client spends its CPU on sending, not on bookkeeping.
final class RepeatedRequest {
    private let handle: UnsafeMutableRawPointer
    private let body: [UInt8]
    private var headerList: UnsafeMutablePointer<curl_slist>?

    private let trust: ServerTrust

    init(method: String, url: String, headers: [String: String], body: [UInt8], timeout: Double, trust: ServerTrust) {
        self.trust = trust
        _ = HTTPClient.globalInit
        handle = curl_easy_init()
        self.body = body
        rappi_curl_setopt_string(handle, CURLOPT_URL, url)
        rappi_curl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, method)
        rappi_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        rappi_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        rappi_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        trust.apply(to: handle)
        rappi_curl_setopt_write(handle, discardBody)
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { headerList = curl_slist_append(headerList, "\(name): \(value)") }
        headerList = curl_slist_append(headerList, "Expect:")
        rappi_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        if !body.isEmpty {
            rappi_curl_setopt_long(handle, CURLOPT_POSTFIELDSIZE, body.count)
            _ = self.body.withUnsafeBufferPointer {
                // `body` is immutable and lives as long as this object, so its storage stays put.
                rappi_curl_setopt_pointer(handle, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress))
            }
        }
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
    }

    /// Sends the request; the HTTP status, or 0 with the reason when no response came.
    func perform() -> (status: Int, error: String?) {
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else { return (0, trust.explain(code)) }
        var status = 0
        rappi_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return (status, nil)
    }
}

private func discardBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    size * count
}
