// swift-tools-version:6.1
// vmatch benchmarks: a package of its own (as apple/swift-nio's Benchmarks/ is), so that the main
// package's build and tests never fetch or compile ordo-one/benchmark.
//   cd Benchmarks && swift package benchmark          # the ordo-one suite (VMatchBenchmarks)
//   swift build -c release --product vmatch-bench     # plain timing tool used by ../scripts/bench/*
//   swift build -c release --product vf-measure       # region-hash distances on the corpus (HashRegions)
//   swift build -c release --product pdq-quality      # the PDQ quality-metric experiment
import PackageDescription

let package = Package(
    name: "benchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "vmatch", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Deterministic synthetic inputs shared by the suite and the timing tool.
        .target(
            name: "BenchSupport",
            dependencies: [.product(name: "VMatchKit", package: "vmatch")]),
        .executableTarget(
            name: "VMatchBenchmarks",
            dependencies: [
                "BenchSupport",
                .product(name: "VMatchKit", package: "vmatch"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/VMatchBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v5)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "vmatch-bench",
            dependencies: ["BenchSupport", .product(name: "VMatchKit", package: "vmatch")]),
        // Measurements behind constants of VideoFingerprint (see each file's header).
        .executableTarget(
            name: "vf-measure",
            dependencies: [.product(name: "VMatchKit", package: "vmatch")]),
        .executableTarget(name: "pdq-quality"),
    ]
)
