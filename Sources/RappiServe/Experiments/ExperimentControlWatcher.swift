import Foundation
import RappiWorkspace
import Synchronization

/// The experiment's live split and promotion, from its control file: one `stat` per request,
/// a re-read only when the file's identity changed.
final class ExperimentControlWatcher: Sendable {
    private let path: String
    /// The control as last read, and the file's identity then.
    private let state: Mutex<(stamp: FileStamp?, control: ExperimentControl)>

    init(file: URL, initial: ExperimentControl) {
        path = file.path
        state = Mutex((stamp: FileStamp(path: path), control: ExperimentControl.read(file) ?? initial))
    }

    func current() -> ExperimentControl {
        let fresh = FileStamp(path: path)
        return state.withLock { state in
            if let fresh, fresh != state.stamp, let text = try? String(contentsOfFile: path, encoding: .utf8),
               let read = ExperimentControl(text: text) {
                state = (fresh, read)
            }
            return state.control
        }
    }
}
