import RappiML

/// The model-file reader (a registered model, a model server's `--model FILE`): any bytes are
/// refused with an error or decoded; a decoded model encodes to a file that decodes again to the
/// same bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? ModelFile.decodeInterface(bytes)
    guard let model = try? ModelFile.decode(bytes) else { return 0 }
    let encoded = ModelFile.encode(model)
    guard let again = try? ModelFile.decode(encoded) else { fatalError("a decoded model's encoding does not decode") }
    if ModelFile.encode(again) != encoded { fatalError("encode(decode(encode(model))) differs from encode(model)") }
    return 0
}
