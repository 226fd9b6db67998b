// swift-tools-version:6.0
// vmatch: finds where a creator's recorded footage and voice are reused in other clips.
// Module map (see README "How it works"): `Fingerprint` holds the values every module shares and
// imports nothing; C libraries enter through system-library targets, each imported by one
// module: FFmpeg by `Media`, FFTW by `AudioFingerprint`, SQLite by `LibraryStore`, libcrypto
// (SHA-256) and the fork/exec of hooks (`CProcess`) by `Pipeline`. The algorithm modules (`VideoFingerprint`, `AudioFingerprint`,
// `Matching`) take plain buffers and are tested without a decoder; `Pipeline` does the work and
// hands its results out as `Findings` values (records, hashes, evidence), which `Report` only
// renders (text, JSON Lines, HTML); `vmatch` parses and prints.
import PackageDescription

// The algorithm modules are optimised in debug builds too: the tests and the debug binary the
// command-line tests run fingerprint real media, which unoptimised Swift does 5 to 10 times slower.
let optimisedAlways: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "vmatch",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vmatch", targets: ["vmatch"]),
        .library(name: "VMatchKit", targets: ["Fingerprint", "VideoFingerprint", "AudioFingerprint", "Matching"]),
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
        .systemLibrary(
            name: "CCrypto",
            providers: [.apt(["libssl-dev"])]),

        .target(name: "Fingerprint", swiftSettings: optimisedAlways),
        .target(name: "Media", dependencies: ["CFFmpeg"]),
        .target(name: "LibraryStore", dependencies: ["CSQLite"]),
        .target(name: "VideoFingerprint", dependencies: ["Fingerprint"], swiftSettings: optimisedAlways),
        .target(name: "AudioFingerprint", dependencies: ["Fingerprint", "CFFTW"], swiftSettings: optimisedAlways),
        .target(name: "CHamming"),
        .target(name: "Matching", dependencies: ["Fingerprint", "CHamming"], swiftSettings: optimisedAlways),
        .target(name: "Findings", dependencies: ["Fingerprint", "Matching"]),
        .target(name: "Report", dependencies: ["Findings", "Matching"], exclude: ["Schema"]),
        .target(name: "CMemory"),
        .target(name: "CProcess"),
        .target(name: "Pipeline", dependencies: [
            "Fingerprint", "Media", "VideoFingerprint", "AudioFingerprint", "Matching", "LibraryStore", "Findings", "CMemory", "CProcess", "CCrypto",
        ]),
        .executableTarget(
            name: "vmatch",
            dependencies: [
                "Pipeline", "Findings", "Report", "Fingerprint",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "MediaTests", dependencies: ["Media"]),
        .testTarget(name: "LibraryStoreTests", dependencies: ["LibraryStore"]),
        .target(name: "TestSupport", dependencies: ["Fingerprint"], path: "Tests/TestSupport"),
        .testTarget(name: "FingerprintTests", dependencies: ["Fingerprint", "TestSupport"]),
        .testTarget(name: "MatchingTests", dependencies: ["Matching", "Fingerprint", "TestSupport"]),
        // The sound channel end to end: speech made with espeak-ng, fingerprinted, then matched.
        .testTarget(name: "AudioFingerprintTests", dependencies: ["AudioFingerprint", "Fingerprint", "Matching"]),
        .testTarget(name: "VideoFingerprintTests", dependencies: ["VideoFingerprint", "Fingerprint", "TestSupport"]),
        .testTarget(name: "FindingsTests", dependencies: ["Findings"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Findings", "Matching"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "AudioFingerprint", "Fingerprint", "LibraryStore", "Matching", "Report", "TestSupport"]),
        .testTarget(name: "VMatchCLITests", dependencies: ["vmatch", "Pipeline"], exclude: ["Help"]),
    ]
)
