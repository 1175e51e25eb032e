/// A picture a command returns besides its text: a standalone SVG document (no scripts, no
/// external fonts or images), named for the file it is saved as.
public struct Chart: Sendable, Equatable {
    /// A short file-name-safe name, as in `confusion-matrix`.
    public let name: String
    public let title: String
    public let svg: String

    public init(name: String, title: String, svg: String) {
        self.name = name
        self.title = title
        self.svg = svg
    }
}
