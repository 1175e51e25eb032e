import Foundation
import Hummingbird
import Logging
import NIOCore
import RappiML
import RappiWorkspace

/// The A/B router: one experiment of the workspace behind the model server's routes plus
/// `POST /feedback`. Each variant is scored in this process from the exact model file its
/// endpoint (or registry entry) names — on a two-core machine a proxy hop to the endpoints
/// would cost more than the scoring itself.
public enum ExperimentRouter {
    /// Serves until SIGTERM/SIGINT, drains in-flight requests, then writes every buffered
    /// assignment and outcome (the recorder's flusher, a service of the application) before returning.
    public static func run(_ configuration: ExperimentRouterConfiguration) async throws {
        let (application, _, accessLog) = try build(configuration)
        defer { accessLog?.close() }
        ServingCore.prepare(configuration.server)
        try await application.runService()
    }

    static func build(_ configuration: ExperimentRouterConfiguration) throws
        -> (application: Application<ExperimentResponder>, recorder: AssignmentRecorder, accessLog: AccessLog?) {
        let workspace = try Workspace(directory: URL(fileURLWithPath: configuration.workspacePath))
        let experiment = try workspace.experiment(configuration.experiment)
        let runtimes = try experiment.variants.map { variant in
            try ModelRuntime.load(path: workspace.artifacts.url(for: variant.hash).path, name: variant.model, version: variant.version)
        }
        let recorder = try AssignmentRecorder(workspaceDirectory: workspace.directory, experiment: experiment.name,
                                              interval: configuration.flushIntervalSeconds)

        var ready = JSONWriter()
        ready.raw(#"{"status":"ready","experiment":"#)
        ready.string(experiment.name)
        for (label, runtime) in zip(VariantAssignment.labels, runtimes) {
            ready.raw(",\"\(label)\":")
            ready.string("\(runtime.name) v\(runtime.version)")
        }
        ready.raw("}")

        let inference = InferenceProtocolHandler(
            signature: InferenceSignature(runtime: runtimes[0], name: experiment.name, version: nil, platform: "rappi_abtest_router",
                                          probabilities: runtimes.allSatisfy(\.hasProbabilities),
                                          extraOutputs: ExperimentResponder.inferenceOutputs),
            target: runtimes[0].model.target.column)
        let core = try ServingCore(
            settings: configuration.server,
            metrics: ServerMetrics(model: experiment.name, version: 0, algorithm: "abtest-router"),
            readyBody: ready.text, inference: inference) { authenticated in
                OpenAPIDocument.make(runtime: runtimes[0], inference: inference.signature, authenticated: authenticated,
                                     experiment: experiment.name)
            }
        var randomPrefix = SystemRandomNumberGenerator()
        let responder = ExperimentResponder(
            experiment: experiment.name,
            runtimes: runtimes,
            assignment: VariantAssignment(experiment: experiment.name, unitField: experiment.unit, seed: experiment.seed),
            control: ExperimentControlWatcher(file: try workspace.experimentControlFile(experiment.name), initial: experiment.control),
            recorder: recorder,
            feedback: FeedbackHandler(recorder: recorder, targets: ["A": runtimes[0].model.target, "B": runtimes[1].model.target]),
            // Record ids are stored with a global key: 64 random bits per router start keep them apart.
            recordIDs: RequestIDs(prefix: String(randomPrefix.next(), radix: 16)),
            core: core)

        var logger = Logger(label: "rappi.router")
        logger.logLevel = .info
        let application = try configuration.server.application(
            responder: responder, requestTimeoutSeconds: configuration.idleTimeoutSeconds, logger: logger,
            services: core.services + [recorder.flusher])
        return (application, recorder, core.accessLog)
    }
}
