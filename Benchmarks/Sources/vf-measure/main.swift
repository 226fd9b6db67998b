// VFMeasure: measures VideoFingerprint on the dev corpus (../shared/corpus, generated into a
// folder with refs/, queries/, distractors/, truth.json). Not part of the product: it decodes with
// the ffmpeg CLI (gray, 256x256, aspect not preserved, as the pipeline's analysis frames) and
// prints, per edited query, the median distance from each suspect frame to its true reference
// frame — whole frame, after active-area detection, with the mirror hash, with region hashes —
// and the distances between unrelated frames.
// Build: `cd Benchmarks && swift build -c release --product vf-measure`.
// Usage: [QH=512] .build/release/vf-measure CORPUS_DIR   (QH: analysis height of query frames; refs are 256x256)
// Debug modes: LAG_Q=q001.mp4,... scans time offsets; INSETS=q016.mp4 prints detections per frame;
// DEBUG_Q=q009.mp4 compares DCT-flip and flipped-image hashes.
import Foundation
import Fingerprint
import VideoFingerprint

let side = 256
let corpus = URL(fileURLWithPath: CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "/work/corpus-cache/dev")

let queryHeight = Int(ProcessInfo.processInfo.environment["QH"] ?? "256")!

func frames(_ url: URL, fps: Double, height: Int = side) -> [[UInt8]] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
    p.arguments = ["-v", "error", "-i", url.path, "-vf", "fps=\(fps),scale=\(side):\(height),format=gray",
                   "-f", "rawvideo", "-pix_fmt", "gray", "-"]
    let out = Pipe()
    p.standardOutput = out
    try! p.run()
    let data = [UInt8](out.fileHandleForReading.readDataToEndOfFile())
    p.waitUntilExit()
    let n = side * height
    return stride(from: 0, to: data.count - n + 1, by: n).map { Array(data[$0..<($0 + n)]) }
}

struct FrameHashes {
    var full: PDQHash
    var area: PixelRect
    var areaHash: PDQResult
    var areaMirror: PDQHash
    var regions: [(String, PDQHash, PDQHash)]  // name, hash, mirrored
    var refCrops: [PDQHash] = []  // reference side: zoomed-in windows of the active area
}

/// Reference-side windows: what a zoom-in crop of the reference shows.
let refCropTemplates = HashRegions.referenceCrops

let hasher = PDQHasher()
let detector = ActiveAreaDetector()
let insetFinder: InsetFinder = {
    var f = InsetFinder()
    let env = ProcessInfo.processInfo.environment
    if let c = env["IC"] { f.edgeContrast = Int(c)! }
    if let c = env["ICOV"] { f.minimumCoverage = Double(c)! }
    return f
}()

@MainActor func hashFrames(_ fs: [[UInt8]], regions: Bool, height: Int = side) -> [FrameHashes] {
    var tracker = ActiveAreaTracker()
    return fs.map { f in
        f.withUnsafeBufferPointer { buf in
            let full = hasher.hash(luma: buf, width: side, height: height).hash
            let area = tracker.update(detector.detect(luma: buf, width: side, height: height))
            let (ah, am) = hasher.hashWithMirror(luma: buf, width: side, height: height, area: area)
            var rs: [(String, PDQHash, PDQHash)] = []
            if regions {
                let insets = insetFinder.find(luma: buf, width: side, height: height).enumerated().map {
                    HashRegion(name: "inset\($0.offset)", rect: $0.element)
                }
                for r in HashRegions.regions(in: area, templates: HashRegions.candidates) + insets {
                    let (h, m) = hasher.hashWithMirror(luma: buf, width: side, height: height, area: r.rect)
                    rs.append((r.name, h.hash, m))
                }
            }
            var crops: [PDQHash] = []
            if !regions {
                for r in HashRegions.regions(in: area, templates: refCropTemplates) {
                    crops.append(hasher.hash(luma: buf, width: side, height: height, area: r.rect).hash)
                }
            }
            return FrameHashes(full: full, area: area, areaHash: ah, areaMirror: am, regions: rs, refCrops: crops)
        }
    }
}

func median(_ xs: [Int]) -> Int { xs.isEmpty ? -1 : xs.sorted()[xs.count / 2] }

let truth = try! JSONSerialization.jsonObject(with: Data(contentsOf: corpus.appendingPathComponent("truth.json"))) as! [String: Any]
let queries = truth["queries"] as! [String: [String: Any]]

let refFPS = 10.0
let window = Int(ProcessInfo.processInfo.environment["NEAR"] ?? "3")!
if let dq = ProcessInfo.processInfo.environment["LAG_Q"] {
    for q in dq.split(separator: ",").map(String.init) {
        let info = queries[q]!
        let m = (info["matches"] as! [[String: Any]]).first!
        let ref = m["reference"] as! String
        let r0 = m["ref_start"] as! Double, q0 = m["query_start"] as! Double, q1 = m["query_end"] as! Double, speed = m["speed"] as! Double
        let qh = frames(corpus.appendingPathComponent("queries/\(q)"), fps: 2).map { hasher.dihedralHashes(luma: $0, width: side, height: side) }
        let rh = frames(corpus.appendingPathComponent("refs/\(ref)"), fps: refFPS).map { hasher.hash(luma: $0, width: side, height: side).hash }
        var line = "\(q):"
        for lagStep in -10...10 {
            let lag = Double(lagStep) / 10
            var ds: [Int] = []
            for (i, h) in qh.enumerated() {
                let t = Double(i) / 2
                guard t >= q0 + 0.25, t <= q1 - 0.25 else { continue }
                let j = Int(((r0 + (t - q0) * speed + lag) * refFPS).rounded())
                guard j >= 0, j < rh.count else { continue }
                ds.append(min(h[.original].distance(to: rh[j]), h[.flipHorizontal].distance(to: rh[j])))
            }
            line += " \(lag):\(ds.sorted()[ds.count / 2])"
        }
        print(line)
    }
    exit(0)
}
if ProcessInfo.processInfo.environment["BENCH"] != nil {
    let f = frames(corpus.appendingPathComponent("refs/ref01.mp4"), fps: 1)
    let clock = ContinuousClock()
    var sink = 0
    let n = 2000
    let t0 = clock.measure { for i in 0..<n { sink &+= hasher.hash(luma: f[i % f.count], width: side, height: side).quality } }
    let t1 = clock.measure { for i in 0..<n { sink &+= detector.detect(luma: f[i % f.count], width: side, height: side).x } }
    let t2 = clock.measure { for i in 0..<n { sink &+= insetFinder.find(luma: f[i % f.count], width: side, height: side).count } }
    let small = [Float](repeating: 1, count: 4096).enumerated().map { Float($0.offset % 61) }
    let t3 = clock.measure { for _ in 0..<n { sink &+= hasher.hash(downsampled64: small).quality } }
    print("per 256x256 frame: hash \(t0 / n), active area \(t1 / n), insets \(t2 / n); 64x64 hash \(t3 / n) (\(sink))")
    exit(0)
}
if let iq = ProcessInfo.processInfo.environment["INSETS"] {
    let url = corpus.appendingPathComponent(iq.hasPrefix("ref") ? "refs/\(iq)" : "queries/\(iq)")
    for (i, f) in frames(url, fps: 1, height: queryHeight).enumerated() {
        print(i, detector.detect(luma: f, width: side, height: queryHeight), insetFinder.find(luma: f, width: side, height: queryHeight))
    }
    exit(0)
}
if let dq = ProcessInfo.processInfo.environment["DEBUG_Q"] {
    let info = queries[dq]!
    let m = (info["matches"] as! [[String: Any]]).first!
    let ref = m["reference"] as! String
    let r0 = m["ref_start"] as! Double, q0 = m["query_start"] as! Double, speed = m["speed"] as! Double
    let qfr = frames(corpus.appendingPathComponent("queries/\(dq)"), fps: 2)
    let rfr = frames(corpus.appendingPathComponent("refs/\(ref)"), fps: refFPS)
    for (i, f) in qfr.enumerated() where i % 3 == 0 {
        let t = Double(i) / 2
        let j = Int(((r0 + (t - q0) * speed) * refFPS).rounded())
        guard j < rfr.count else { continue }
        var flipped = f
        for y in 0..<side { for x in 0..<side { flipped[y * side + x] = f[y * side + side - 1 - x] } }
        let rh = hasher.hash(luma: rfr[j], width: side, height: side)
        let qd = hasher.dihedralHashes(luma: f, width: side, height: side)
        let fh = hasher.hash(luma: flipped, width: side, height: side)
        var near = 256
        for k in max(0, j - 10)...min(rfr.count - 1, j + 10) {
            near = min(near, qd[.flipHorizontal].distance(to: hasher.hash(luma: rfr[k], width: side, height: side).hash))
        }
        print("t=\(t) j=\(j) q=\(qd.quality) r=\(rh.quality) dOrig=\(qd[.original].distance(to: rh.hash)) dFlipH=\(qd[.flipHorizontal].distance(to: rh.hash)) dHflipImage=\(fh.hash.distance(to: rh.hash)) flipH-vs-hflipImage=\(fh.hash.distance(to: qd[.flipHorizontal])) nearest±1s=\(near)")
    }
    exit(0)
}
var refs: [String: [FrameHashes]] = [:]
for name in (truth["references"] as! [String: Any]).keys.sorted() {
    refs[name] = hashFrames(frames(corpus.appendingPathComponent("refs/\(name)"), fps: refFPS), regions: false)
}
FileHandle.standardError.write("hashed \(refs.count) references\n".data(using: .utf8)!)

let wanted = ["mirror", "crop", "letterbox_9x16", "blurfill_9x16", "pip", "rotate", "overlay_text_logo", "combo3",
              "reencode_crf40", "speed", "embedded"]
let names = HashRegions.candidates.map(\.name) + ["inset0", "inset1"]
print("| query | tags | frames | full | area | area+mirror | best fixed region (name) | insets (found in) | ref-side crops | all | area rect (q / ref) |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
var regionWins: [String: Int] = [:]
for q in queries.keys.sorted() {
    let info = queries[q]!
    let tags = info["tags"] as! [String]
    guard tags.contains(where: { wanted.contains($0) }), tags.first == "video" || tags.first == "video_only",
          let m = (info["matches"] as! [[String: Any]]).first else { continue }
    let ref = m["reference"] as! String
    let q0 = m["query_start"] as! Double, q1 = m["query_end"] as! Double
    let r0 = m["ref_start"] as! Double, speed = m["speed"] as! Double
    let qf = hashFrames(frames(corpus.appendingPathComponent("queries/\(q)"), fps: 2, height: queryHeight), regions: true, height: queryHeight)
    let rf = refs[ref]!
    var dFull: [Int] = [], dArea: [Int] = [], dMirror: [Int] = [], dAll: [Int] = []
    var dRegion: [String: [Int]] = [:]
    var dCrop: [Int] = [], dInset: [Int] = []
    for (i, f) in qf.enumerated() {
        let t = Double(i) / 2
        guard t >= q0 + 0.25, t <= q1 - 0.25 else { continue }
        let tr = r0 + (t - q0) * speed
        let j = Int((tr * refFPS).rounded())
        guard j >= 0, j < rf.count else { continue }
        // The corpus's cuts land ~0.1-0.2 s later than truth.json says (measured by lag scan),
        // and fast motion makes that worth ~50 bits: take the nearest ref frame within ±window.
        let near = rf[max(0, j - window)...min(rf.count - 1, j + window)]
        func best(_ d: (FrameHashes) -> Int) -> Int { near.map(d).min()! }
        dFull.append(best { f.full.distance(to: $0.full) })
        let a = best { f.areaHash.hash.distance(to: $0.areaHash.hash) }
        dArea.append(a)
        let am = min(a, best { f.areaMirror.distance(to: $0.areaHash.hash) })
        dMirror.append(am)
        var bestAll = am
        var bestInset = 256
        for (n, h, hm) in f.regions {
            let d = best { min(h.distance(to: $0.areaHash.hash), hm.distance(to: $0.areaHash.hash)) }
            dRegion[n, default: []].append(d)
            if n.hasPrefix("inset") { bestInset = min(bestInset, d) }
            bestAll = min(bestAll, d)
        }
        if f.regions.contains(where: { $0.0.hasPrefix("inset") }) { dInset.append(bestInset) }
        let c = best { r in r.refCrops.map { min($0.distance(to: f.areaHash.hash), $0.distance(to: f.areaMirror)) }.min() ?? 256 }
        dCrop.append(c)
        bestAll = min(bestAll, c)
        dAll.append(bestAll)
    }
    let fixedNames = HashRegions.candidates.map(\.name)
    let bestRegion = fixedNames.filter { dRegion[$0] != nil }.min { median(dRegion[$0]!) < median(dRegion[$1]!) } ?? "-"
    regionWins[bestRegion, default: 0] += 1
    let areas = "\(qf[qf.count / 2].area) / \(rf[min(rf.count - 1, Int(((r0 + (q1 - q0) / 2 * speed) * refFPS)))].area)"
    print("| \(q) | \(tags.dropFirst().joined(separator: ",")) | \(dAll.count) | \(median(dFull)) | \(median(dArea)) | \(median(dMirror)) | \(median(dRegion[bestRegion] ?? [])) (\(bestRegion)) | \(median(dInset)) (\(dInset.count)/\(dAll.count)) | \(median(dCrop)) | \(median(dAll)) | \(areas) |")
    FileHandle.standardError.write((q + ": " + names.map { "\($0)=\(median(dRegion[$0] ?? []))" }.joined(separator: " ") + "\n").data(using: .utf8)!)
}

// Unrelated material: distractor files and negative queries against every reference frame.
var unrelated: [FrameHashes] = []
for d in ["dis01.mp4", "dis02.mp4", "dis03.mp4", "dis04.mp4"] {
    unrelated += hashFrames(frames(corpus.appendingPathComponent("distractors/\(d)"), fps: 2), regions: true)
}
for q in queries.keys.sorted() where (queries[q]!["tags"] as! [String]).first == "negative" {
    unrelated += hashFrames(frames(corpus.appendingPathComponent("queries/\(q)"), fps: 2), regions: true)
}
let refAll = refs.values.flatMap { $0 }.filter { $0.areaHash.isEvidence }
let unrelatedEvidence = unrelated.filter { $0.areaHash.isEvidence }
var pairHist = [Int](repeating: 0, count: 257)
var nnArea: [Int] = [], nnMirror: [Int] = [], nnFixed: [Int] = [], nnInset: [Int] = [], nnCrop: [Int] = []
for u in unrelatedEvidence {
    var bArea = 256, bMirror = 256, bFixed = 256, bInset = 256, bCrop = 256
    for r in refAll {
        let d = u.areaHash.hash.distance(to: r.areaHash.hash)
        pairHist[d] += 1
        bArea = min(bArea, d)
        bMirror = min(bMirror, u.areaMirror.distance(to: r.areaHash.hash))
        for (n, h, hm) in u.regions {
            let e = min(h.distance(to: r.areaHash.hash), hm.distance(to: r.areaHash.hash))
            if n.hasPrefix("inset") { bInset = min(bInset, e) } else { bFixed = min(bFixed, e) }
        }
        for c in r.refCrops { bCrop = min(bCrop, c.distance(to: u.areaHash.hash), c.distance(to: u.areaMirror)) }
    }
    nnArea.append(bArea); nnMirror.append(bMirror); nnFixed.append(bFixed); nnInset.append(bInset); nnCrop.append(bCrop)
}
func quantile(_ hist: [Int], _ q: Double) -> Int {
    let total = hist.reduce(0, +)
    var acc = 0
    for (d, c) in hist.enumerated() { acc += c; if Double(acc) >= q * Double(total) { return d } }
    return 256
}
let pairs = pairHist.reduce(0, +)
print("\nunrelated pairs (area hash vs area hash, quality ≥ 50): \(pairs) pairs from \(unrelatedEvidence.count) frames x \(refAll.count) ref frames; min \(pairHist.firstIndex { $0 > 0 } ?? -1), p1 \(quantile(pairHist, 0.01)), median \(quantile(pairHist, 0.5))")
func summary(_ xs: [Int]) -> String {
    let s = xs.sorted()
    return "min \(s.first ?? -1), p1 \(s[s.count / 100]), median \(s[s.count / 2])"
}
print("nearest reference frame per unrelated frame (\(nnArea.count) frames):")
print("  area hash: \(summary(nnArea))")
print("  mirror hash: \(summary(nnMirror))")
print("  \(HashRegions.candidates.count) fixed regions (+mirror): \(summary(nnFixed))")
print("  insets (+mirror, 256 = none found): \(summary(nnInset))")
print("  vs \(refCropTemplates.count) ref-side crops: \(summary(nnCrop))")
print("region that was best per query: \(regionWins.sorted { $0.value > $1.value })")
