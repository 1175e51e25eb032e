import Foundation

/// Whether this binary was built with AddressSanitizer or ThreadSanitizer (`scripts/sanitizers.sh`).
/// Their runtimes export `__asan_init` / `__tsan_init`; a normal build has neither.
enum SanitizerRuntime {
    static let isActive: Bool = {
        let initialisers: [String] = ["__asan_init", "__tsan_init"]
        return initialisers.contains { name in dlsym(nil, name) != nil }
    }()
}
