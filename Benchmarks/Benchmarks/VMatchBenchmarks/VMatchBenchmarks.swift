// The vmatch hot paths, measured with ordo-one/benchmark: `cd Benchmarks && swift package benchmark`.
// Every input is built in `setup` (outside the measured region) from a fixed seed; each iteration
// takes the next of several distinct inputs, so nothing can be hoisted out of the loop; every
// result goes through `blackHole`. Thresholds are set only on deterministic metrics (mallocs,
// instructions); times are reported, not gated (2 shared cores: ±15 %).
import AudioFingerprint
import Benchmark
import BenchSupport
import Fingerprint
import Matching
import VideoFingerprint

/// Round-robin over a benchmark's inputs (the closure is called once per iteration).
final class Cycle<T> {
    let items: [T]
    private var next = 0
    init(_ items: [T]) { self.items = items }
    func take() -> T {
        defer { next = (next + 1) % items.count }
        return items[next]
    }
}

let benchmarks: @Sendable () -> Void = {
    // A metric left out of this table would get the library's default (±5 % at p25–p75), so
    // times are listed with no tolerances at all: reported, never gated.
    let gated: [BenchmarkMetric: BenchmarkThresholds] = [
        .mallocCountTotal: .init(relative: [.p90: 0], absolute: [.p90: 0]),
        .instructions: .init(relative: [.p90: 5]),
        .wallClock: .init(relative: BenchmarkThresholds.Relative.none, absolute: BenchmarkThresholds.Absolute.none),
        .throughput: .init(relative: BenchmarkThresholds.Relative.none, absolute: BenchmarkThresholds.Absolute.none),
    ]
    Benchmark.defaultConfiguration = .init(
        // Instructions need perf events (absent in this VM: the column is then left out);
        // CPU time has a 10 ms resolution here, useless for microsecond iterations.
        metrics: [.wallClock, .instructions, .mallocCountTotal, .throughput],
        warmupIterations: 3,
        maxDuration: .seconds(3),
        maxIterations: 100_000,
        thresholds: gated)

    // The harness's own mallocs per iteration (the floor under every other benchmark's count).
    Benchmark("Baseline: empty iteration") { _ in
        blackHole(0)
    }

    // MARK: PDQ

    Benchmark("PDQ hash 64x64 (downsampled64)") { benchmark, state in
        let (hasher, images) = state
        blackHole(hasher.hash(downsampled64: images.take()))
    } setup: {
        (PDQHasher(), Cycle((0 ..< 16).map { SyntheticFrames.downsampled64(seed: UInt64($0)) }))
    }

    Benchmark("PDQ hash 1280x720 luma (tent downsample)") { benchmark, state in
        let (hasher, frames) = state
        blackHole(hasher.hash(luma: frames.take(), width: 1280, height: 720))
    } setup: {
        (PDQHasher(expectedPixels: 1280 * 720),
         Cycle((0 ..< 4).map { SyntheticFrames.luma(width: 1280, height: 720, seed: 100 + UInt64($0)) }))
    }

    Benchmark("PDQ hash 256x256 luma (pipeline analysis frame)") { benchmark, state in
        let (hasher, frames) = state
        blackHole(hasher.hash(luma: frames.take(), width: 256, height: 256))
    } setup: {
        (PDQHasher(), Cycle((0 ..< 8).map { SyntheticFrames.luma(width: 256, height: 256, seed: 200 + UInt64($0)) }))
    }

    // MARK: Audio

    // One iteration = 60 s of 8 kHz audio through STFT, peak picking, speech gating and landmark
    // hashing, fed in 1024-sample chunks as the decoder delivers them. Per second of audio:
    // divide by 60; realtime factor: 60 s / wall time.
    Benchmark("Audio fingerprint 60 s speech-like (STFT + landmarks)",
              configuration: .init(maxDuration: .seconds(10), maxIterations: 50)) { benchmark, clips in
        let clip = clips.take()
        let fingerprinter = AudioFingerprinter()
        benchmark.startMeasurement()
        var count = 0
        clip.withUnsafeBufferPointer { samples in
            var start = 0
            while start < samples.count {
                let end = min(samples.count, start + 1024)
                count += fingerprinter.append(UnsafeBufferPointer(rebasing: samples[start ..< end])).count
                start = end
            }
        }
        count += fingerprinter.finish().count
        benchmark.stopMeasurement()
        blackHole(count)
    } setup: {
        Cycle((0 ..< 2).map { SyntheticAudio.speechLike(seconds: 60, seed: 300 + UInt64($0)) })
    }

    // MARK: Hamming search

    // One query per iteration, radius 31, against random hashes with 4 planted neighbours
    // (distances 0…31) per query; 256 distinct queries.
    for count in [1_000_000, 10_000_000] {
        Benchmark("Hamming search r31, \(count / 1_000_000)M hashes (multi-index)",
                  configuration: .init(maxDuration: .seconds(5))) { (benchmark, state: (HammingIndex, Cycle<PDQHash>)) in
            let (index, queries) = state
            var found = 0
            index.search(queries.take(), radius: 31) { id, d in found &+= id &+ d }
            blackHole(found)
        } setup: {
            let planted = SyntheticHashes.plantedLibrary(count: count, queries: 256, neighboursPerQuery: 4, seed: 400)
            return (HammingIndex(planted.library), Cycle(planted.queries))
        }
    }

    // MARK: Alignment

    // One reference's hits for a 60 s suspect sampled at 4 frames/s: a reused stretch, a static
    // view and chance hits (see SyntheticHits), ~800 hits.
    Benchmark("TemporalAligner 60 s suspect, one reference") { benchmark, inputs in
        let (hits, usable) = inputs.take()
        blackHole(TemporalAligner().align(hits, usableQueryTimes: usable))
    } setup: {
        Cycle((0 ..< 4).map {
            SyntheticHits.suspect(seconds: 60, framesPerSecond: 4, rate: 1 + 0.02 * Double($0), offset: 123.4,
                                  referenceLength: 600, seed: 500 + UInt64($0))
        })
    }
}
