// vmatch-bench: plain release-built timings for the scripts in ../scripts (bench-pdq-python,
// bench-search-scale) and for comparing builds (e.g. -target-cpu nehalem) — things the
// ordo-one suite cannot do (foreign input files, a custom build flag, one-shot runs of many GB).
// Results go to stdout as JSON Lines; nothing else is printed there.
//
//   vmatch-bench pdq FILE --width W --height H --channels 1|3 --count N [--rounds R]
//   vmatch-bench hamming --count N [--queries Q] [--rounds R]
//   vmatch-bench hamming-files HASHES QUERIES --out PAIRS [--radius 31] [--threads T] [--rounds R]
//                (HASHES, QUERIES: raw 32-byte records, the hash's bit i in byte i/8, bit i%8, i.e.
//                 the four words little-endian; PAIRS: UInt32 LE triples query, id, distance)
//   vmatch-bench search-scale --hours H [--reference-fps 4] [--reference-hashes 7]
//                [--suspect-seconds 60] [--suspect-fps 4] [--suspect-hashes 6]
//   vmatch-bench tiered-scale --hours H [--landmarks-per-second 140] [--speech 1]   (TieredScale.swift)
import BenchSupport
import Dispatch
import Fingerprint
import Foundation
import Matching
import VideoFingerprint

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("vmatch-bench: \(message)\n".utf8))
    exit(64)
}

struct Arguments {
    var positional: [String] = []
    var options: [String: String] = [:]
    init(_ args: ArraySlice<String>) {
        var i = args.startIndex
        while i < args.endIndex {
            if args[i].hasPrefix("--"), i + 1 < args.endIndex {
                options[String(args[i].dropFirst(2))] = args[i + 1]
                i += 2
            } else {
                positional.append(args[i])
                i += 1
            }
        }
    }
    func int(_ name: String, _ fallback: Int? = nil) -> Int {
        guard let s = options[name] else {
            guard let fallback else { fail("missing --\(name)") }
            return fallback
        }
        guard let value = Int(s) else { fail("--\(name) \(s) is not an integer") }
        return value
    }
    func double(_ name: String, _ fallback: Double) -> Double {
        guard let s = options[name] else { return fallback }
        guard let value = Double(s) else { fail("--\(name) \(s) is not a number") }
        return value
    }
}

func emit<T: Encodable>(_ value: T) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try! encoder.encode(value), as: UTF8.self))
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}

/// Best of `rounds` runs of `body`, in seconds.
func best(rounds: Int, _ body: () -> Void) -> Double {
    var result = Double.infinity
    for _ in 0 ..< rounds { result = min(result, seconds(ContinuousClock().measure(body))) }
    return result
}

/// Resident and peak resident set of this process, bytes (Linux /proc).
func memory() -> (rss: Int, peak: Int) {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Int {
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            return 1024 * (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0)
        }
        return 0
    }
    return (field("VmRSS"), field("VmHWM"))
}

@inline(__always)
func distance(_ a: PDQHash, _ b: PDQHash) -> Int { a.distance(to: b) }

// MARK: - pdq

struct PDQReport: Encodable {
    var mode: String
    var width: Int
    var height: Int
    var frames: Int
    var rounds: Int
    var microsecondsPerHash: Double
    /// 64x64 luma only: the same frames through `hash(downsampled64:)` (no conversion, no copy).
    var microsecondsPerHashDownsampled64: Double?
    var hashes: [String]
    var qualities: [Int]
}

func runPDQ(_ a: Arguments) {
    guard let path = a.positional.first else { fail("pdq needs a raw frames file") }
    let width = a.int("width"), height = a.int("height"), channels = a.int("channels"), count = a.int("count")
    let rounds = a.int("rounds", 5)
    guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read '\(path)'") }
    let frameBytes = width * height * channels
    guard data.count >= frameBytes * count else { fail("'\(path)' holds \(data.count) bytes, fewer than \(count) frames of \(frameBytes)") }
    let bytes = [UInt8](data)
    let hasher = PDQHasher(expectedPixels: width * height)
    var results = [PDQResult](repeating: PDQResult(hash: .zero, quality: 0), count: count)
    let time = bytes.withUnsafeBufferPointer { all in
        best(rounds: rounds) {
            for i in 0 ..< count {
                let frame = UnsafeBufferPointer(rebasing: all[i * frameBytes ..< (i + 1) * frameBytes])
                results[i] = channels == 3 ? hasher.hash(rgb: frame, width: width, height: height)
                                           : hasher.hash(luma: frame, width: width, height: height)
            }
        }
    }
    var time64: Double?
    if channels == 1 && width == 64 && height == 64 {
        let floats = bytes.prefix(frameBytes * count).map(Float.init)
        var sink = 0
        time64 = floats.withUnsafeBufferPointer { all in
            best(rounds: rounds) {
                for i in 0 ..< count {
                    sink &+= hasher.hash(downsampled64: UnsafeBufferPointer(rebasing: all[i * 4096 ..< (i + 1) * 4096])).quality
                }
            }
        } / Double(count) * 1e6
        if sink == -1 { print("") }
    }
    emit(PDQReport(mode: channels == 3 ? "rgb" : "luma", width: width, height: height, frames: count, rounds: rounds,
                   microsecondsPerHash: time / Double(count) * 1e6, microsecondsPerHashDownsampled64: time64,
                   hashes: results.map(\.hash.hex), qualities: results.map(\.quality)))
}

// MARK: - hamming

struct HammingReport: Encodable {
    var hashes: Int
    var queries: Int
    var buildSeconds: Double
    var multiIndexMicrosecondsPerQuery: Double
    var linearScanMicrosecondsPerQuery: Double
    var multiIndexHits: Int
    var linearScanHits: Int
}

func runHamming(_ a: Arguments) {
    let count = a.int("count"), queries = a.int("queries", 256), rounds = a.int("rounds", 3)
    let planted = SyntheticHashes.plantedLibrary(count: count, queries: queries, neighboursPerQuery: 4, seed: 400)
    var index: HammingIndex?
    let build = seconds(ContinuousClock().measure { index = HammingIndex(planted.library) })
    let idx = index!
    var mihHits = 0, scanHits = 0
    let mih = best(rounds: rounds) {
        mihHits = 0
        for q in planted.queries { idx.search(q, radius: 31) { _, _ in mihHits += 1 } }
    }
    // The scan is linear in the library: time a slice of the queries.
    let scanQueries = Array(planted.queries.prefix(max(1, min(queries, 32))))
    let scan = planted.library.withUnsafeBufferPointer { lib in
        best(rounds: rounds) {
            scanHits = 0
            for q in scanQueries {
                for h in lib where distance(q, h) <= 31 { scanHits += 1 }
            }
        }
    }
    emit(HammingReport(hashes: count, queries: queries, buildSeconds: build,
                       multiIndexMicrosecondsPerQuery: mih / Double(queries) * 1e6,
                       linearScanMicrosecondsPerQuery: scan / Double(scanQueries.count) * 1e6,
                       multiIndexHits: mihHits, linearScanHits: scanHits))
}

// MARK: - hamming-files

/// Raw 32-byte records → hashes, each record's four words read little-endian (bit i of the hash
/// = bit i % 8 of byte i / 8, FAISS's binary-vector layout). fread straight into the array, so no
/// second copy of the file is ever resident.
func readHashes(_ path: String) -> [PDQHash] {
    guard let f = fopen(path, "rb") else { fail("cannot open '\(path)'") }
    defer { fclose(f) }
    fseek(f, 0, SEEK_END)
    let size = ftell(f)
    fseek(f, 0, SEEK_SET)
    guard size >= 0, size % 32 == 0 else { fail("'\(path)': \(size) bytes is not a whole number of 32-byte records") }
    let n = size / 32
    precondition(MemoryLayout<PDQHash>.stride == 32)
    return [PDQHash](unsafeUninitializedCapacity: n) { buffer, initialized in
        guard fread(buffer.baseAddress, 32, n, f) == n else { fail("short read of '\(path)'") }
        for i in 0 ..< n {
            let h = buffer[i].words
            buffer[i] = PDQHash(words: SIMD4(UInt64(littleEndian: h[0]), UInt64(littleEndian: h[1]),
                                UInt64(littleEndian: h[2]), UInt64(littleEndian: h[3])))
        }
        initialized = n
    }
}

struct HammingFilesReport: Encodable {
    var hashes: Int
    var queries: Int
    var radius: Int
    var threads: Int
    var rounds: Int
    var loadSeconds: Double
    var buildSeconds: Double
    /// Resident set before reading the files, after reading them, after building the index and
    /// dropping the loaded array (the index holds the only copy of the hashes), and the peak.
    var rssBeforeLoad: Int
    var rssAfterLoad: Int
    var rssAfterBuild: Int
    var peakRSS: Int
    /// Best of `rounds` passes over all queries (results collected into arrays, as FAISS does).
    var searchSeconds: Double
    var microsecondsPerQuery: Double
    var queriesPerSecond: Double
    var pairs: Int
}

/// One result list per worker, in separate memory locations (no shared array to copy on write):
/// each worker writes only its own slot.
final class PairSlots: @unchecked Sendable {
    let slots: UnsafeMutableBufferPointer<[UInt32]>
    init(_ count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: [])
    }
    deinit {
        slots.deinitialize()
        slots.deallocate()
    }
}

func runHammingFiles(_ a: Arguments) {
    guard a.positional.count == 2 else { fail("hamming-files needs HASHES and QUERIES files") }
    guard let out = a.options["out"] else { fail("missing --out") }
    let radius = a.int("radius", 31), threads = max(1, a.int("threads", 1)), rounds = a.int("rounds", 3)
    let before = memory()
    var library: [PDQHash] = []
    var queries: [PDQHash] = []
    let load = seconds(ContinuousClock().measure {
        library = readHashes(a.positional[0])
        queries = readHashes(a.positional[1])
    })
    let afterLoad = memory()
    let n = library.count
    var index: HammingIndex?
    let build = seconds(ContinuousClock().measure { index = HammingIndex(library) })
    library = []
    let idx = index!
    let afterBuild = memory()
    let q = queries
    let results = PairSlots(threads)
    // Worker w takes the w-th contiguous share of the queries.
    @Sendable func work(_ w: Int) {
        let lo = q.count * w / threads, hi = q.count * (w + 1) / threads
        var pairs: [UInt32] = []
        pairs.reserveCapacity(3 * 16 * (hi - lo))
        for i in lo ..< hi {
            idx.search(q[i], radius: radius) { id, d in
                pairs.append(UInt32(i)); pairs.append(UInt32(id)); pairs.append(UInt32(d))
            }
        }
        results.slots[w] = pairs
    }
    let time = best(rounds: rounds) {
        if threads == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: threads, execute: work) }
    }
    // Sorted by (query, id), so any implementation's pairs compare byte for byte.
    var triples: [(UInt32, UInt32, UInt32)] = []
    for part in results.slots {
        for t in stride(from: 0, to: part.count, by: 3) { triples.append((part[t], part[t + 1], part[t + 2])) }
    }
    triples.sort { ($0.0, $0.1) < ($1.0, $1.1) }
    var flat: [UInt32] = []
    flat.reserveCapacity(3 * triples.count)
    for t in triples { flat += [t.0.littleEndian, t.1.littleEndian, t.2.littleEndian] }
    guard let f = fopen(out, "wb") else { fail("cannot write '\(out)'") }
    flat.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, $0.count, f) }
    fclose(f)
    emit(HammingFilesReport(hashes: n, queries: q.count, radius: radius, threads: threads, rounds: rounds,
                            loadSeconds: load, buildSeconds: build,
                            rssBeforeLoad: before.rss, rssAfterLoad: afterLoad.rss, rssAfterBuild: afterBuild.rss,
                            peakRSS: memory().peak, searchSeconds: time,
                            microsecondsPerQuery: time / Double(q.count) * 1e6,
                            queriesPerSecond: Double(q.count) / time, pairs: triples.count))
}

// MARK: - search-scale

struct ScaleReport: Encodable {
    var hours: Double
    var referenceHashes: Int
    var suspectFrames: Int
    var suspectHashes: Int
    var generateSeconds: Double
    var buildSeconds: Double
    /// hashes (32 B) + multi-index ids (16 × 4 B) per hash + bucket offsets (16 × 65537 × 4 B).
    var indexBytes: Int
    /// What ReferenceSet adds per hash beside the index: owner (4 B) and time (4 B).
    var libraryExtraBytes: Int
    var rssAfterBuild: Int
    var peakRSS: Int
    var querySeconds: Double
    var queryMicrosecondsPerHash: Double
    var hitFrames: Int
    var hits: Int
}

func runSearchScale(_ a: Arguments) {
    let hours = a.double("hours", 10)
    let referenceFPS = a.double("reference-fps", 4), referencePerFrame = a.int("reference-hashes", 7)
    let suspectSeconds = a.double("suspect-seconds", 60), suspectFPS = a.double("suspect-fps", 4)
    let suspectPerFrame = a.int("suspect-hashes", 6)
    let n = Int(hours * 3600 * referenceFPS * Double(referencePerFrame))
    let frames = Int(suspectSeconds * suspectFPS)
    var library: [PDQHash] = []
    var suspect: [[PDQHash]] = []
    let generate = seconds(ContinuousClock().measure {
        library = SyntheticHashes.random(count: n, seed: 600)
        // The suspect reuses 40 s of one reference: for 2 frames in 3 of those, the main hash has
        // three reference neighbours (that frame and the ones beside it) at distance 4…24.
        var rng = SplitMix64(seed: 601)
        for f in 0 ..< frames {
            var hashes = (0 ..< suspectPerFrame).map { _ in PDQHash(words: SIMD4(rng.next(), rng.next(), rng.next(), rng.next())) }
            if f >= frames / 6, f < frames * 5 / 6, f % 3 != 0 {
                let base = Int(rng.next() % UInt64(n - 3))
                for k in 0 ..< 3 {
                    library[base + k] = SyntheticHashes.neighbour(of: hashes[0], distance: 4 + Int(rng.next() % 21), using: &rng)
                }
            }
            hashes[1] = SyntheticHashes.neighbour(of: hashes[0], distance: 100, using: &rng)  // the mirror
            suspect.append(hashes)
        }
    })
    var index: HammingIndex?
    let build = seconds(ContinuousClock().measure { index = HammingIndex(library) })
    library = []  // the index holds the only copy, as in ReferenceSet
    let idx = index!
    let afterBuild = memory()
    var hitFrames = 0, hits = 0
    // As Matcher.videoSegments does: per frame, the best distance per reference hash over the
    // frame's variants.
    let query = seconds(ContinuousClock().measure {
        for hashes in suspect {
            var bestDistance: [Int: Int] = [:]
            for h in hashes {
                idx.search(h, radius: 31) { id, d in
                    if d < (bestDistance[id] ?? Int.max) { bestDistance[id] = d }
                }
            }
            if !bestDistance.isEmpty { hitFrames += 1 }
            hits += bestDistance.count
        }
    })
    emit(ScaleReport(hours: hours, referenceHashes: n, suspectFrames: frames, suspectHashes: frames * suspectPerFrame,
                     generateSeconds: generate, buildSeconds: build,
                     indexBytes: n * 32 + n * 16 * 4 + 16 * 65537 * 4, libraryExtraBytes: n * 8,
                     rssAfterBuild: afterBuild.rss, peakRSS: memory().peak,
                     querySeconds: query, queryMicrosecondsPerHash: query / Double(frames * suspectPerFrame) * 1e6,
                     hitFrames: hitFrames, hits: hits))
}

let args = CommandLine.arguments
switch args.dropFirst().first {
case "pdq": runPDQ(Arguments(args.dropFirst(2)))
case "hamming": runHamming(Arguments(args.dropFirst(2)))
case "hamming-files": runHammingFiles(Arguments(args.dropFirst(2)))
case "search-scale": runSearchScale(Arguments(args.dropFirst(2)))
case "tiered-scale": runTieredScale(Arguments(args.dropFirst(2)))
default: fail("usage: vmatch-bench pdq|hamming|hamming-files|search-scale|tiered-scale [options] (see the comment at the top of main.swift)")
}
