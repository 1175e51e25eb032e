import Foundation
@testable import RappiServe
@testable import RappiWorkspace

/// The small files servers read while running: an endpoint's API keys (one per line), an A/B
/// experiment's control file (`split_a=…`, `promoted=…`) and the workspace server's
/// `server.json`. Anything must be read without a crash; keys never contain line breaks or
/// surrounding blanks, a split is a percentage.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzControlFiles(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    for key in APIKeyStore.parse(text) {
        if key.isEmpty || key.contains(10) || key.contains(13) { fatalError("a key with a line break or empty: \(key)") }
    }
    if let control = ExperimentControl(text: text), !(0...100).contains(control.splitA) {
        fatalError("split_a \(control.splitA) read from \(text.debugDescription)")
    }
    _ = WorkspaceServerRecord.decode(Data(bytes))
    return 0
}
