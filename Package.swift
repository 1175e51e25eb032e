// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rappi",
    // Linux only: the code reads /proc, links Glibc, and runs containers with podman. No Apple
    // platform is supported, so none is declared.
    products: [
        .executable(name: "rappi", targets: ["rappi"]),
        // For the libFuzzer harnesses in Fuzz/ (a package of their own, built only by scripts/fuzz.sh).
        .library(name: "RappiML", targets: ["RappiML"]),
        .library(name: "RappiWorkspace", targets: ["RappiWorkspace"]),
        .library(name: "RappiScript", targets: ["RappiScript"]),
        .library(name: "RappiServe", targets: ["RappiServe"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Imported directly by RappiServe (Hummingbird brings them too; a target declares what it imports).
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libreadline-dev, libcurl4-openssl-dev, libzmq3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        // libzmq3-dev: the Jupyter kernel's sockets.
        .systemLibrary(name: "CZMQ", path: "Sources/CZMQ", pkgConfig: "libzmq"),
        // Header-only: a software prefetch for the boosting histogram loops (RappiML).
        .systemLibrary(name: "CCPUHints", path: "Sources/CCPUHints"),

        // The ONNX protobuf messages, hand-encoded: a pure bytes <-> values codec, no dependencies.
        .target(name: "RappiONNX", swiftSettings: [.swiftLanguageMode(.v6)]),
        // Frames, CSV, (later) preprocessing and estimators. Knows nothing of SQLite, HTTP or the language.
        .target(name: "RappiML", dependencies: ["RappiONNX", "CCPUHints"], swiftSettings: [.swiftLanguageMode(.v6)]),
        // Standalone SVG charts (confusion matrix, ROC, weights, fold scores): one look for every command.
        .target(name: "RappiCharts", swiftSettings: [.swiftLanguageMode(.v6)]),
        // SQLite store, dataset versions, runs, content-addressed artifacts.
        .target(name: "RappiWorkspace", dependencies: [
            "CSQLite", "RappiML",
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: [.swiftLanguageMode(.v6)]),
        // HTTP client for endpoints and published pipelines, load generator (libcurl).
        .target(name: "RappiClient", dependencies: [
            "CCurl",
            .product(name: "Histogram", package: "hdrhistogram-swift"),
        ], swiftSettings: [.swiftLanguageMode(.v6)]),
        // HTTP servers (Hummingbird): the model server, the A/B router, the workspace REST API.
        .target(name: "RappiServe", dependencies: [
            "RappiML", "RappiWorkspace",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: [.swiftLanguageMode(.v6)]),
        // Deployment targets (a detached local process, a container run by podman/docker, Kubernetes),
        // the endpoints and A/B routers started on them, and pipeline runs on compute targets.
        .target(name: "RappiDeploy", dependencies: [
            "RappiML", "RappiWorkspace", "RappiClient",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], swiftSettings: [.swiftLanguageMode(.v6)]),
        // Lexer, parser, command table, interpreter.
        .target(name: "RappiScript", dependencies: [
            "RappiML", "RappiONNX", "RappiWorkspace", "RappiClient", "RappiDeploy", "RappiCharts",
            .product(name: "Crypto", package: "swift-crypto"),
        ],
                swiftSettings: [.swiftLanguageMode(.v6)]),
        // CLI entry, REPL (readline), script runner, rendering.
        .executableTarget(name: "rappi", dependencies: [
            "RappiScript", "RappiWorkspace", "RappiServe", "RappiClient", "RappiDeploy", "RappiCharts", "CReadline", "CZMQ",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: [.swiftLanguageMode(.v6)]),

        // FuzzFindings: inputs the fuzzers (Fuzz/) found, kept as regression tests.
        .testTarget(name: "RappiMLTests", dependencies: ["RappiML", "RappiONNX"], exclude: ["FuzzFindings"]),
        .testTarget(name: "RappiChartsTests", dependencies: ["RappiCharts"], exclude: ["Golden"]),
        .testTarget(name: "RappiWorkspaceTests", dependencies: ["RappiWorkspace", "RappiML"]),
        .testTarget(name: "RappiScriptTests", dependencies: ["RappiScript", "RappiML"]),
        .testTarget(name: "RappiClientTests", dependencies: ["RappiClient"]),
        .testTarget(name: "RappiDeployTests", dependencies: ["RappiDeploy"]),
        .testTarget(name: "RappiServeTests", dependencies: [
            "RappiServe", "RappiClient", "RappiML", "RappiWorkspace",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        // Runs .rappi scripts through the built binary; depends on it so `swift test` builds it.
        .testTarget(name: "RappiEndToEndTests", dependencies: [
            "rappi", "RappiWorkspace", "RappiClient", "RappiDeploy", "RappiML",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
    ],
    swiftLanguageModes: [.v5]
)
