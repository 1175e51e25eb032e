import Foundation

/// The shared objects a dynamically linked executable needs at run time, as `ldd` lists them
/// (transitively, including the dynamic loader), so they can be staged into a `FROM scratch` image.
enum SharedLibraries {
    /// Absolute paths, as the loader will look them up, sorted and without duplicates.
    /// A statically linked executable needs none. A library `ldd` cannot find is an error.
    static func required(by executable: String) throws -> [String] {
        guard let ldd = CommandRunner.which("ldd") else {
            throw DeployError("cannot list the shared libraries of \(executable): `ldd` is not on PATH (Debian: apt-get install -y libc-bin)")
        }
        let result = try CommandRunner.run(ldd, [executable], timeout: 60)
        let text = result.stdout + "\n" + result.stderr
        if text.contains("not a dynamic executable") || text.contains("statically linked") { return [] }
        guard result.succeeded else {
            throw DeployError("ldd \(executable) failed (exit \(result.status)):\n\(result.lastLines(10))")
        }
        return try parse(result.stdout, executable: executable)
    }

    /// Parses `ldd` output lines such as
    ///   `libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)`, `/lib64/ld-linux-x86-64.so.2 (0x…)`,
    ///   `linux-vdso.so.1 (0x…)` (virtual: skipped), `libx.so => not found` (an error).
    static func parse(_ output: String, executable: String) throws -> [String] {
        var paths = Set<String>()
        var missing: [String] = []
        for rawLine in output.split(separator: "\n") {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            var candidate: Substring
            if let arrow = line.range(of: " => ") {
                candidate = line[arrow.upperBound...]
                if candidate.hasPrefix("not found") {
                    missing.append(String(line[..<arrow.lowerBound]))
                    continue
                }
            } else {
                candidate = Substring(line)
            }
            if let paren = candidate.range(of: " (0x") { candidate = candidate[..<paren.lowerBound] }
            let path = candidate.trimmingCharacters(in: .whitespaces)
            guard path.hasPrefix("/") else { continue }  // linux-vdso.so.1 and the like live in the kernel
            paths.insert(path)
        }
        if !missing.isEmpty {
            throw DeployError("\(executable) needs shared libraries that are not installed: \(missing.sorted().joined(separator: ", "))")
        }
        return paths.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }
}
