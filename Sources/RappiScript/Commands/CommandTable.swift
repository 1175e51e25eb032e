import RappiML
import RappiWorkspace

/// Every command rappi knows. Help, completion and "did you mean" all read this table.
public struct CommandTable: Sendable {
    public let commands: [any RappiCommand.Type]

    public init(_ commands: [any RappiCommand.Type]) { self.commands = commands }

    public static let standard = CommandTable([
        // session
        EchoCommand.self, SetSeedCommand.self, AssertCommand.self, HelpCommand.self,
        // workspace
        WorkspaceCommand.self, WorkspaceCheckCommand.self, WorkspaceGCCommand.self, RunsCommand.self,
        // data
        UploadDatasetCommand.self, DatasetsCommand.self, DatasetCommand.self, LoadDatasetCommand.self,
        DescribeCommand.self, HeadCommand.self,
        // training
        SplitCommand.self, PreprocessCommand.self, TrainRandomForestCommand.self, TrainGradientBoostingCommand.self, TrainLinearSVCCommand.self,
        TrainLogisticRegressionCommand.self, TrainRidgeCommand.self, EvaluateCommand.self, CrossValidateCommand.self, PredictCommand.self,
        // registry
        RegisterCommand.self, ModelsCommand.self, ModelCommand.self, PromoteCommand.self, LoadModelCommand.self,
        ExportModelCommand.self, RegisterONNXCommand.self,
        // endpoints
        DeployCommand.self, EndpointsCommand.self, UndeployCommand.self, RotateKeyCommand.self,
        TestEndpointCommand.self, ProfileEndpointCommand.self, PackageCommand.self, DockerizeCommand.self,
        // compute and pipelines
        ComputeCreateCommand.self, ComputeListCommand.self, ComputeDeleteCommand.self,
        PipelinesCommand.self, PipelineShowCommand.self, RunPipelineCommand.self, RunShowCommand.self, RunWaitCommand.self,
        RunCancelCommand.self, PublishPipelineCommand.self, PublishedCommand.self, UnpublishCommand.self, InvokePipelineCommand.self,
        // experiments
        AbtestStartCommand.self, AbtestSimulateCommand.self, AbtestReportCommand.self, AbtestSplitCommand.self,
        AbtestPromoteCommand.self, AbtestStopCommand.self, AbtestsCommand.self,
        // runs
        ReplayCommand.self,
    ])

    /// The command whose name is the longest prefix of `words` (`load dataset` over `load`).
    public func longestMatch(_ words: [String]) -> (any RappiCommand.Type)? {
        let lowered = words.map { $0.lowercased() }
        return commands
            .filter { lowered.starts(with: $0.signature.nameWords) }
            .max { $0.signature.nameWords.count < $1.signature.nameWords.count }
    }

    public func command(named name: String) -> (any RappiCommand.Type)? {
        let words = name.split(separator: " ").map { $0.lowercased() }
        return commands.first { $0.signature.nameWords == words }
    }

    /// "did you mean …" for a mistyped command: the closest full name, else the command whose
    /// first word is closest to the first word typed.
    public func suggestion(for typed: String) -> String? {
        let names = commands.map { $0.signature.name }
        if let close = NameSuggestion.closest(to: typed, in: names) { return close }
        let first = String(typed.split(separator: " ").first ?? "")
        let firstWords = commands.map { $0.signature.nameWords[0] }
        guard let word = NameSuggestion.closest(to: first, in: firstWords) else { return nil }
        return commands.first { $0.signature.nameWords[0] == word }?.signature.name
    }

    /// Areas in the order help lists them.
    public var areas: [String] {
        var seen: [String] = []
        for command in commands where !seen.contains(command.signature.area) { seen.append(command.signature.area) }
        return seen
    }
}
