// swift-tools-version:6.0
// vmatch: finds where a creator's recorded footage and voice are reused in other clips.
// Module map (see README "Architecture"): C libraries enter through system-library targets;
// only `Media` imports FFmpeg, only `AudioFingerprint` imports FFTW, only `LibraryStore` imports
// SQLite. The algorithm modules take plain buffers and are tested without a decoder.
import PackageDescription

let package = Package(
    name: "vmatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vmatch", targets: ["vmatch"]),
        .library(name: "VMatchKit", targets: ["VideoFingerprint", "AudioFingerprint", "Matching"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libswresample-dev", "libavutil-dev"])]),
        .systemLibrary(
            name: "CFFTW",
            pkgConfig: "fftw3f",
            providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(
            name: "CSQLite",
            providers: [.apt(["libsqlite3-dev"])]),

        .target(name: "Media", dependencies: ["CFFmpeg"]),
        .target(name: "LibraryStore", dependencies: ["CSQLite"]),
        .target(name: "VideoFingerprint"),
        .target(name: "AudioFingerprint", dependencies: ["CFFTW"]),
        .target(name: "Report", dependencies: ["Matching"]),
        .target(name: "Pipeline", dependencies: ["Media", "VideoFingerprint", "AudioFingerprint", "Matching", "LibraryStore"]),
        .target(name: "CHamming"),
        .target(name: "CMemory"),
        .target(name: "Matching", dependencies: ["AudioFingerprint", "CHamming"]),
        .executableTarget(
            name: "vmatch",
            dependencies: [
                "Media", "Pipeline", "Matching", "LibraryStore", "Report", "VideoFingerprint", "CMemory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "MediaTests", dependencies: ["Media"]),
        .testTarget(name: "LibraryStoreTests", dependencies: ["LibraryStore"]),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "MatchingTests", dependencies: ["Matching", "TestSupport"]),
        .testTarget(name: "AudioFingerprintTests", dependencies: ["AudioFingerprint"]),
        .testTarget(name: "VideoFingerprintTests", dependencies: ["VideoFingerprint", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Matching"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "LibraryStore", "Matching", "TestSupport"]),
        .testTarget(name: "VMatchCLITests", dependencies: ["vmatch"]),
    ]
)
