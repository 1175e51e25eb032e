// swift-tools-version:6.0
import PackageDescription

// libFuzzer harnesses for every parser of outside input, one executable each (each defines
// LLVMFuzzerTestOneInput; libFuzzer supplies main). A package of its own, depending on rappi by
// path, so the main build never compiles them: `scripts/fuzz.sh` builds this package with
// `--sanitize=fuzzer --sanitize=address` into .build-fuzz/ and runs each harness on its corpus
// (Fuzz/corpus/<harness>/). Built without those flags the executables have no main and do not link.
let package = Package(
    name: "rappi-fuzz",
    dependencies: [.package(name: "rappi", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "RappiML", package: "rappi")]),
        .executableTarget(name: "FuzzScript", dependencies: ["FuzzSupport", .product(name: "RappiScript", package: "rappi")]),
        .executableTarget(name: "FuzzPipelineDefinition", dependencies: [
            "FuzzSupport", .product(name: "RappiScript", package: "rappi"), .product(name: "RappiWorkspace", package: "rappi"),
        ]),
        .executableTarget(name: "FuzzCSV", dependencies: ["FuzzSupport", .product(name: "RappiML", package: "rappi")]),
        .executableTarget(name: "FuzzPredictionRequest", dependencies: [
            "FuzzSupport", .product(name: "RappiServe", package: "rappi"), .product(name: "RappiML", package: "rappi"),
        ]),
        .executableTarget(name: "FuzzModelFile", dependencies: [.product(name: "RappiML", package: "rappi")]),
        .executableTarget(name: "FuzzControlFiles", dependencies: [
            .product(name: "RappiServe", package: "rappi"), .product(name: "RappiWorkspace", package: "rappi"),
        ]),
    ]
)
