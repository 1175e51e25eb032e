import Foundation
import RappiWorkspace

/// The experiment's live split and promotion, from its control file: one `stat` per request,
/// a re-read only when the file's identity changed.
final class ExperimentControlWatcher: @unchecked Sendable {
    private let path: String
    private let lock = NSLock()
    private var stamp: FileStamp?
    private var control: ExperimentControl

    init(file: URL, initial: ExperimentControl) {
        path = file.path
        stamp = FileStamp(path: path)
        control = ExperimentControl.read(file) ?? initial
    }

    func current() -> ExperimentControl {
        let fresh = FileStamp(path: path)
        lock.lock()
        defer { lock.unlock() }
        if let fresh, fresh != stamp, let text = try? String(contentsOfFile: path, encoding: .utf8),
           let read = ExperimentControl(text: text) {
            stamp = fresh
            control = read
        }
        return control
    }
}
