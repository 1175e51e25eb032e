import Foundation
import RappiML

/// One version of a pipeline: parameters with defaults and a body of rappi statements.
/// Redefining a pipeline with different text makes the next version; the same text is no change.
public struct PipelineDefinition: Sendable {
    public struct Parameter: Sendable, Equatable {
        public let name: String
        public let defaultValue: String
        public init(name: String, defaultValue: String) { self.name = name; self.defaultValue = defaultValue }
    }

    public struct Step: Sendable, Equatable {
        public let kind: String
        public let statement: String
        public init(kind: String, statement: String) { self.kind = kind; self.statement = statement }
    }

    public let name: String
    public let version: Int
    public let parameters: [Parameter]
    public let body: String
    /// The body's statements, one per step: the command's name (or `let`) and its text.
    public let steps: [Step]
    /// SHA-256 of the parameters and body, so identical redefinitions are recognised.
    public let textHash: String
    /// Relative paths in the body resolve against this (the folder of the script that defined it).
    public let baseDirectory: String?
    public let createdAt: String

    public func parameter(_ name: String) -> Parameter? { parameters.first { $0.name == name } }

    /// `name(version=latest, trees=200)`, as people write it.
    public var signature: String {
        "\(name)(" + parameters.map { "\($0.name)=\($0.defaultValue)" }.joined(separator: ", ") + ")"
    }

    static func encodeParameters(_ parameters: [Parameter]) -> String {
        JSONText.array(parameters.map { JSONText.array([JSONText.quote($0.name), JSONText.quote($0.defaultValue)]) })
    }

    static func encodeSteps(_ steps: [Step]) -> String {
        JSONText.array(steps.map { JSONText.array([JSONText.quote($0.kind), JSONText.quote($0.statement)]) })
    }

    static func decodeSteps(_ json: String) -> [Step] {
        let pairs = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String]] ?? []
        return pairs.compactMap { $0.count == 2 ? Step(kind: $0[0], statement: $0[1]) : nil }
    }

    static func decodeParameters(_ json: String) -> [Parameter] {
        let pairs = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [[String]] ?? []
        return pairs.compactMap { $0.count == 2 ? Parameter(name: $0[0], defaultValue: $0[1]) : nil }
    }
}

/// A pipeline made callable over REST: an id, the definition version it runs, and the SHA-256
/// of its bearer token (the token itself is shown once, when made, and never stored).
public struct PublishedPipeline: Sendable {
    public let id: String
    public let name: String
    public let pipelineVersion: Int
    /// `sha256:HEX` of the token.
    public let tokenHash: String
    public let createdAt: String

    public func accepts(_ token: some StringProtocol) -> Bool {
        ConstantTime.equal(PublishingToken.hash(token), tokenHash)
    }
}

extension PipelineDefinition {
    /// The values a run uses: the given ones, checked against the declared parameters, with
    /// defaults for the rest, in the definition's order.
    public func resolve(_ given: [(name: String, value: String)]) throws -> [(name: String, value: String)] {
        for (name, _) in given where parameter(name) == nil {
            let names = parameters.map(\.name)
            let hint = NameSuggestion.closest(to: name, in: names).map { " — did you mean '\($0)'?" }
                ?? (names.isEmpty ? " — it takes no parameters" : " — it takes: \(names.joined(separator: ", "))")
            throw WorkspaceError("pipeline '\(self.name)' has no parameter '\(name)'\(hint)")
        }
        return parameters.map { declared in
            (declared.name, given.last { $0.name == declared.name }?.value ?? declared.defaultValue)
        }
    }
}
