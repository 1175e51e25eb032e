import Synchronization

/// Ctrl-C while a command runs: the signal handler raises the flag, long-running work polls it
/// and stops with `interruptedError`, and the REPL clears it before the next statement.
public enum Interrupt {
    private static let flag = Atomic<Bool>(false)

    public static func request() { flag.store(true, ordering: .relaxed) }
    public static func clear() { flag.store(false, ordering: .relaxed) }
    public static var isRequested: Bool { flag.load(ordering: .relaxed) }

    public static let poll: @Sendable () -> Bool = { Interrupt.isRequested }
}
