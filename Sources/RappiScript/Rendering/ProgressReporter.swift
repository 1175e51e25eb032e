import Foundation
import Synchronization

/// A progress bar on standard error for work that takes more than a second: items done, rate,
/// time left. Drawn only when the session says so (a terminal, not --json, not piped).
public final class ProgressReporter: Sendable {
    private let total: Int
    private let unit: String
    private let enabled: Bool
    private let started = Date()
    /// When the bar was last drawn, and whether it is on screen now.
    private let state = Mutex<(lastDraw: Date, drawn: Bool)>((Date.distantPast, false))

    public init(total: Int, unit: String, enabled: Bool) {
        self.total = max(total, 1)
        self.unit = unit
        self.enabled = enabled
    }

    /// Safe to call from any thread; draws are serialised so two never interleave.
    public func update(_ done: Int) {
        guard enabled else { return }
        let now = Date()
        let elapsed = now.timeIntervalSince(started)
        guard elapsed > 1 else { return }
        state.withLock { state in
            guard now.timeIntervalSince(state.lastDraw) > 0.1 || done == total else { return }
            state = (now, true)
            let fraction = Double(done) / Double(total)
            let width = 30
            let filled = Int(fraction * Double(width))
            let rate = Double(done) / elapsed
            let left = rate > 0 ? Double(total - done) / rate : 0
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = String(format: "\r  %@ %d/%d %@  %.1f %@/s  %@ left ", bar, done, total, unit, rate, unit, Self.duration(left))
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Clears the bar before the cell's output is printed.
    public func finish() {
        state.withLock { state in
            guard state.drawn else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            state.drawn = false
        }
    }

    static func duration(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.0fs", seconds) : String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60)
    }
}
