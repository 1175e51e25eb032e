/// Finds the first invalid UTF-8 sequence in a byte range (overlong forms, surrogates and
/// code points above U+10FFFF are invalid, as in Swift's own validation).
enum UTF8Validator {
    /// `true` when every byte in `[start, end)` is ASCII (< 0x80). Checks 8 bytes at a time.
    static func isASCII(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Bool {
        var p = UnsafeRawPointer(start)
        let e = UnsafeRawPointer(end)
        var acc: UInt64 = 0
        while e - p >= 32 {
            acc |= p.loadUnaligned(as: UInt64.self) | p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                | p.loadUnaligned(fromByteOffset: 16, as: UInt64.self) | p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)
            p += 32
        }
        var tail: UInt8 = 0
        while p < e { tail |= p.load(as: UInt8.self); p += 1 }
        return acc & 0x8080_8080_8080_8080 == 0 && tail < 0x80
    }

    /// Offset (from `start`) of the first byte of the first invalid sequence, or `nil`.
    static func firstInvalid(_ start: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int? {
        var p = start
        while p < end {
            // Skip ASCII quickly.
            while end - p >= 8 {
                if UnsafeRawPointer(p).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
                p += 8
            }
            guard p < end else { break }
            let c = p.pointee
            if c < 0x80 { p += 1; continue }
            let need: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; hi = 0x9F
            case 0xF0: need = 3; lo = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; hi = 0x8F
            default: return p - start
            }
            if end - p <= need { return p - start }
            let b1 = p[1]
            if b1 < lo || b1 > hi { return p - start }
            if need >= 2 && (p[2] & 0xC0) != 0x80 { return p - start }
            if need == 3 && (p[3] & 0xC0) != 0x80 { return p - start }
            p += need + 1
        }
        return nil
    }
}
