import Foundation
import RappiCharts
import RappiClient
import RappiDeploy
import RappiML
import RappiWorkspace

/// `profile endpoint NAME [requests=N] [concurrency=C] [batch=B]` — drives load from a libcurl
/// client and reports throughput, latency percentiles (HDR histogram), errors, and the server's
/// CPU and peak memory, with a sizing recommendation.
public enum ProfileEndpointCommand: RappiCommand {
    static let name = CommandArgument<String>("name", kind: .stored(.endpoint), help: "an endpoint from `endpoints`")
    static let requests = CommandOption("requests", default: 5000, .within(1...1_000_000), help: "requests to send (1 to 1,000,000)")
    static let concurrency = CommandOption("concurrency", default: 8, .within(1...256), help: "connections in parallel (1 to 256)")
    static let batch = CommandOption("batch", default: 1, .within(1...10_000), help: "records per request (1 to 10,000)")

    public static let signature = CommandSignature(
        "profile endpoint", area: "endpoints",
        summary: "Load-test an endpoint: throughput, latency p50/p90/p99/p99.9/max, errors, server CPU and peak memory, and a sizing advice.",
        pattern: [name.spec],
        options: [
            requests.spec, concurrency.spec, batch.spec, ClientOptions.ca.spec,
        ],
        publishes: ["throughput", "p50_ms", "p90_ms", "p99_ms", "p999_ms", "max_ms", "errors", "server_cpu_cores", "server_peak_mb"],
        examples: ["profile endpoint titanic_rf", "profile endpoint titanic_rf requests=20000 concurrency=16 batch=10"])

    public static func execute(_ call: BoundCall, in context: CommandContext) throws -> CommandResult {
        let name = try call.value(Self.name)
        let requests = try call.value(Self.requests)
        let concurrency = try call.value(Self.concurrency)
        let batch = try call.value(Self.batch)
        let workspace = try context.workspace()
        let endpoint = try workspace.endpoint(name)
        let (_, records) = try EndpointData.records(for: endpoint, in: context)
        let body = try RecordJSON.scoreBody((0..<batch).map { records[$0 % records.count] })
        let client = EndpointClient(workspace: workspace, endpoint: endpoint, trust: try ClientOptions.trust(call))
        try client.checkReachable()
        let headers = client.authorization.merging(["Content-Type": "application/json"]) { $1 }

        let pid = serverPID(endpoint)
        let cpuBefore = pid.flatMap { ProcessUsage(pid: $0).cpuSeconds }
        let sampler = pid.map { MemorySampler(pid: $0) }
        let report = LoadGenerator.run(url: endpoint.url + "/score", body: body, headers: headers,
                                       requests: requests, concurrency: concurrency, trust: client.trust, isCancelled: Interrupt.poll)
        let peak = sampler?.stop()
        let cpuAfter = pid.flatMap { ProcessUsage(pid: $0).cpuSeconds }
        let cores = (cpuBefore != nil && cpuAfter != nil) ? (cpuAfter! - cpuBefore!) / report.seconds : nil

        var lines = [
            "\(report.requests) requests to \(name) (\(endpoint.model) v\(endpoint.modelVersion), \(endpoint.target)), "
                + "\(report.concurrency) connections, \(batch) record\(batch == 1 ? "" : "s") per request",
            String(format: "  throughput  %.0f requests/s (%.0f records/s) over %.2f s", report.throughput,
                   report.throughput * Double(batch), report.seconds),
            String(format: "  latency     p50 %.2f ms   p90 %.2f ms   p99 %.2f ms   p99.9 %.2f ms   max %.2f ms",
                   report.milliseconds(at: 50), report.milliseconds(at: 90), report.milliseconds(at: 99),
                   report.milliseconds(at: 99.9), report.maxMilliseconds),
            "  errors      \(report.errors)" + (report.errors > 0 ? " (" + report.statuses.keys.sorted().map { "\($0 == 0 ? "no response" : String($0)): \(report.statuses[$0]!)" }.joined(separator: ", ") + ")" : ""),
        ]
        if let error = report.firstError { lines.append("  first error \(error)") }
        if let cores { lines.append(String(format: "  server CPU  %.2f cores busy on average", cores)) }
        if let peak { lines.append(String(format: "  server RSS  %.1f MB peak", Double(peak) / 1_048_576)) }
        if let cores, let peak {
            let advisedCores = max(1, Int((cores * 1.5).rounded(.up)))
            let advisedMemory = max(128, ((Double(peak) * 2 / 1_048_576) / 64).rounded(.up) * 64)
            lines.append(String(format: "  advice      %d core%@ and %.0f MB for this load (50%% CPU headroom, 2× peak memory)",
                                advisedCores, advisedCores == 1 ? "" : "s", advisedMemory))
        } else {
            lines.append("  (server CPU and memory are not visible for this endpoint)")
        }
        var values: PublishedValues = [
            ("throughput", .double(report.throughput)), ("p50_ms", .double(report.milliseconds(at: 50))),
            ("p90_ms", .double(report.milliseconds(at: 90))), ("p99_ms", .double(report.milliseconds(at: 99))),
            ("p999_ms", .double(report.milliseconds(at: 99.9))), ("max_ms", .double(report.maxMilliseconds)),
            ("errors", .int(report.errors)),
        ]
        if let cores { values.append(("server_cpu_cores", .double(cores))) }
        if let peak { values.append(("server_peak_mb", .double(Double(peak) / 1_048_576))) }
        try workspace.recordProfile(endpoint: name, reportJSON: JSONText.object(
            [("requests", String(report.requests)), ("concurrency", String(report.concurrency)), ("batch", String(batch))]
                + values.map { ($0.name, $0.value.json) }))
        let chart = LatencyChart.render(
            buckets: report.buckets(count: 40, upTo: report.milliseconds(at: 99.9)),
            percentiles: [("p50", report.milliseconds(at: 50)), ("p90", report.milliseconds(at: 90)),
                          ("p99", report.milliseconds(at: 99)), ("p99.9", report.milliseconds(at: 99.9))],
            title: "Latency — \(report.requests) requests to \(name), \(report.concurrency) connections")
        return CommandResult(lines.joined(separator: "\n"), values: values, charts: [chart])
    }

    /// The server's process: the local pid, or the container's main process as the host sees it.
    /// None for Kubernetes: the pods run elsewhere (a recorded pid is the port-forward's).
    private static func serverPID(_ endpoint: EndpointRecord) -> Int32? {
        if endpoint.target == "kubernetes" { return nil }
        if let pid = endpoint.pid { return Int32(pid) }
        guard endpoint.target == "aci", let engine = ContainerEngine.detect() else { return nil }
        return engine.mainProcessID(name: Deployer.containerReference(endpoint))
    }
}

/// The rows of the dataset an endpoint's model was trained on, as records without the target —
/// or, for a model that records no dataset (imported from ONNX), the session's current dataset.
enum EndpointData {
    static func records(for endpoint: EndpointRecord, in context: CommandContext) throws -> (DataFrame, [[String: Any]]) {
        let workspace = try context.workspace()
        let version = try workspace.modelVersion(endpoint.model, .version(.number(endpoint.modelVersion)))
        let frame: DataFrame, dataset: String, number: Int
        if let name = version.dataset, let n = version.datasetVersion {
            (dataset, number) = (name, n)
            frame = try workspace.loadFrame(try workspace.datasetVersion(dataset, .number(number)))
        } else if let current = context.session.currentDataset {
            (dataset, number, frame) = (current.version.name, current.version.version, current.frame)
        } else {
            throw CommandFailure("\(endpoint.model) v\(endpoint.modelVersion) records no dataset to draw records from (it was imported) — load one with its columns first: `load dataset NAME`")
        }
        let model = try ModelReference.load(version, in: context)
        let records = RecordJSON.records(from: frame, dropping: [model.target.column])
        guard !records.isEmpty else { throw CommandFailure("\(dataset) v\(number) has no rows to send") }
        return (frame, records)
    }
}
