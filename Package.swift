// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "rappi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "rappi", targets: ["rappi"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries (Debian: libsqlite3-dev, libreadline-dev, libcurl4-openssl-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),

        // Frames, CSV, (later) preprocessing and estimators. Knows nothing of SQLite, HTTP or the language.
        .target(name: "RappiML"),
        // SQLite store, dataset versions, runs, content-addressed artifacts.
        .target(name: "RappiWorkspace", dependencies: [
            "CSQLite", "RappiML",
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // HTTP client for endpoints and published pipelines (libcurl).
        .target(name: "RappiClient", dependencies: ["CCurl"]),
        // Lexer, parser, command table, interpreter.
        .target(name: "RappiScript", dependencies: ["RappiML", "RappiWorkspace", "RappiClient"]),
        // CLI entry, REPL (readline), script runner, rendering.
        .executableTarget(name: "rappi", dependencies: [
            "RappiScript", "RappiWorkspace", "CReadline",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "RappiMLTests", dependencies: ["RappiML"]),
        .testTarget(name: "RappiWorkspaceTests", dependencies: ["RappiWorkspace"]),
        .testTarget(name: "RappiScriptTests", dependencies: ["RappiScript"]),
        .testTarget(name: "RappiClientTests", dependencies: ["RappiClient"]),
        // Runs .rappi scripts through the built binary; depends on it so `swift test` builds it.
        .testTarget(name: "RappiEndToEndTests", dependencies: ["rappi", "RappiWorkspace"]),
    ],
    swiftLanguageModes: [.v5]
)
