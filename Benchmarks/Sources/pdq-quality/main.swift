// Experiment (the `pdq-quality` target of Benchmarks/): PDQTransform.quality (Sources/VideoFingerprint/
// PDQTransform.swift, copied verbatim as `qualityOld`) is ~2/3 of a 64x64 PDQ hash (perf, see
// ../README.md). Its `Int(Float)` conversions are checked (trap on overflow) and its truncation
// needs SSE4.1's roundps, which the default x86-64 target lacks, so the loop is scalar.
// Candidates, checked equal to the original on every frame:
//   new   – truncate with `.rounded(.towardZero)` and sum in Float (exact: integer terms, < 2^24)
//   simd  – 16 lanes at a time, truncation as round-via-2^23 plus a compare/select fix-up
//   int32 – SIMD16<Int32>(_:rounding:): a generic per-lane path, much slower (kept as a warning)
// Run: cd Benchmarks && swift build -c release --product pdq-quality &&
//      .build/release/pdq-quality /tmp/vmatch-bench/pdq-64x64-200.gray   (frames from scripts/bench/pdq-python)
// and again with `-Xswiftc -target-cpu -Xswiftc nehalem`.
import Foundation
@inline(never)
func qualityOld(_ image: UnsafePointer<Float>) -> Int {
    var sum = 0
    for i in 0..<63 { for j in 0..<64 {
        let d = Int((image[i * 64 + j] - image[(i + 1) * 64 + j]) * 100 / 255); sum += abs(d) } }
    for i in 0..<64 { for j in 0..<63 {
        let d = Int((image[i * 64 + j] - image[i * 64 + j + 1]) * 100 / 255); sum += abs(d) } }
    return min(sum / 90, 100)
}
/// Same arithmetic, truncation by rounding toward zero in Float: every term is an integer
/// 0...100 and the total ≤ 806,400 < 2^24, so the Float sum is exact. Vectorizes only where
/// roundps exists (-target-cpu nehalem); on the default target each term calls truncf.
@inline(never)
func qualityNew(_ image: UnsafePointer<Float>) -> Int {
    var sum: Float = 0
    for i in 0..<63 { for j in 0..<64 {
        sum += abs(((image[i * 64 + j] - image[(i + 1) * 64 + j]) * 100 / 255).rounded(.towardZero)) } }
    for i in 0..<64 { for j in 0..<63 {
        sum += abs(((image[i * 64 + j] - image[i * 64 + j + 1]) * 100 / 255).rounded(.towardZero)) } }
    return min(Int(sum) / 90, 100)
}
/// SSE2-friendly: trunc(|x|) as round-to-nearest via 2^23 then a compare/select fix-up (no
/// truncf call, no trapping Int conversion), 16 lanes at a time; lanes summed once at the end
/// (all integers, total < 2^24, so exact).
@inline(never)
func qualitySIMD(_ image: UnsafePointer<Float>) -> Int {
    let magic = SIMD16<Float>(repeating: 8388608)
    @inline(__always) func truncAbs(_ x: SIMD16<Float>) -> SIMD16<Float> {
        let y = abs_(x * 100 / 255)  // ≤ 100
        let r = (y + magic) - magic
        return r.replacing(with: r - 1, where: r .> y)
    }
    @inline(__always) func abs_(_ v: SIMD16<Float>) -> SIMD16<Float> { v.replacing(with: -v, where: v .< 0) }
    let raw = UnsafeRawPointer(image)
    @inline(__always) func load(_ index: Int) -> SIMD16<Float> { raw.loadUnaligned(fromByteOffset: 4 * index, as: SIMD16<Float>.self) }
    var acc = SIMD16<Float>.zero
    for i in 0..<63 { for c in 0..<4 { acc += truncAbs(load(i * 64 + 16 * c) - load((i + 1) * 64 + 16 * c)) } }
    var lastMask = SIMDMask<SIMD16<Int32>>(repeating: false); lastMask[0] = true
    for i in 0..<64 {
        for c in 0..<3 { acc += truncAbs(load(i * 64 + 16 * c) - load(i * 64 + 16 * c + 1)) }
        acc += truncAbs(load(i * 64 + 47) - load(i * 64 + 48)).replacing(with: 0, where: lastMask)
    }
    return min(Int(acc.sum()) / 90, 100)
}
@inline(never)
func qualityInt32(_ image: UnsafePointer<Float>) -> Int {
    let raw = UnsafeRawPointer(image)
    @inline(__always) func load(_ index: Int) -> SIMD16<Float> { raw.loadUnaligned(fromByteOffset: 4 * index, as: SIMD16<Float>.self) }
    @inline(__always) func term(_ x: SIMD16<Float>) -> SIMD16<Int32> {
        let d = SIMD16<Int32>(x * 100 / 255, rounding: .towardZero)
        return d.replacing(with: 0 &- d, where: d .< 0)
    }
    var acc = SIMD16<Int32>.zero
    for i in 0..<63 { for c in 0..<4 { acc &+= term(load(i * 64 + 16 * c) - load((i + 1) * 64 + 16 * c)) } }
    var lastMask = SIMDMask<SIMD16<Int32>>(repeating: false); lastMask[0] = true
    for i in 0..<64 {
        for c in 0..<3 { acc &+= term(load(i * 64 + 16 * c) - load(i * 64 + 16 * c + 1)) }
        acc &+= term(load(i * 64 + 47) - load(i * 64 + 48)).replacing(with: 0, where: lastMask)
    }
    return min(Int(acc.wrappedSum()) / 90, 100)
}
let data = [UInt8](FileManager.default.contents(atPath: CommandLine.arguments[1])!)
let n = data.count / 4096
var images = data.map(Float.init)
// Also blurred (fractional) images, like real tent-downsampled output.
for k in 0..<images.count { images[k] = images[k] * 0.731 + Float(k % 7) * 0.377 }
var mismatches = 0
images.withUnsafeBufferPointer { p in
    for f in 0..<n where qualityOld(p.baseAddress! + f * 4096) != qualitySIMD(p.baseAddress! + f * 4096) || qualityOld(p.baseAddress! + f * 4096) != qualityInt32(p.baseAddress! + f * 4096) { mismatches += 1 }
    for (name, fn) in [("old", qualityOld), ("new", qualityNew), ("simd", qualitySIMD), ("int32", qualityInt32)] as [(String, (UnsafePointer<Float>) -> Int)] {
        var best = Double.infinity; var sink = 0
        for _ in 0..<20 {
            let t = ContinuousClock().measure { for f in 0..<n { sink &+= fn(p.baseAddress! + f * 4096) } }
            best = min(best, Double(t.components.attoseconds) * 1e-12 + Double(t.components.seconds) * 1e6)
        }
        print("\(name): \(String(format: "%.2f", best / Double(n))) us per 64x64 (sink \(sink % 7))")
    }
}
print("frames \(n), mismatches \(mismatches)")
