// ActiveAreaDetector, ActiveAreaTracker, InsetFinder and HashRegions on generated frames (bars,
// blurred fill, picture-in-picture) and on the PDQ test photographs (which must stay whole).

import Fingerprint
import Foundation
import Testing
import TestSupport
@testable import VideoFingerprint

@Suite struct ActiveAreaDetectorTests {
    let detector = ActiveAreaDetector()

    /// Pastes `picture` (pw x ph) into a w x h frame of `fill` at (x, y).
    static func paste(_ picture: [UInt8], pw: Int, ph: Int, into fill: [UInt8], w: Int, x: Int, y: Int) -> [UInt8] {
        var out = fill
        for r in 0..<ph { for c in 0..<pw { out[(y + r) * w + x + c] = picture[r * pw + c] } }
        return out
    }

    /// Box blur of radius `r`, `passes` times (what ffmpeg's boxblur does to the fill).
    static func boxBlur(_ src: [UInt8], w: Int, h: Int, r: Int, passes: Int) -> [UInt8] {
        var a = src.map(Double.init)
        for _ in 0..<passes {
            var b = a
            for y in 0..<h { for x in 0..<w {
                var s = 0.0, n = 0.0
                for k in max(0, x - r)...min(w - 1, x + r) { s += a[y * w + k]; n += 1 }
                b[y * w + x] = s / n
            } }
            for y in 0..<h { for x in 0..<w {
                var s = 0.0, n = 0.0
                for k in max(0, y - r)...min(h - 1, y + r) { s += b[k * w + x]; n += 1 }
                a[y * w + x] = s / n
            } }
        }
        return a.map { UInt8(max(0, min(255, $0.rounded()))) }
    }

    static func near(_ a: PixelRect, _ b: PixelRect, _ tolerance: Int = 2) -> Bool {
        abs(a.x - b.x) <= tolerance && abs(a.y - b.y) <= tolerance
            && abs(a.maxX - b.maxX) <= tolerance && abs(a.maxY - b.maxY) <= tolerance
    }

    @Test func letterboxIsFoundAndCroppedHashMatchesOriginal() {
        let original = Synthetic.picture(width: 512, height: 288, seed: 1)
        let picture = Synthetic.halve(original, width: 512, height: 288)
        var rng = SeededGenerator(seed: 4)
        // Compressed black is not exactly 0.
        let bars = (0..<(256 * 256)).map { _ in UInt8.random(in: 0...3, using: &rng) }
        let frame = Self.paste(picture, pw: 256, ph: 144, into: bars, w: 256, x: 0, y: 56)
        let area = detector.detect(luma: frame, width: 256, height: 256)
        #expect(Self.near(area, PixelRect(x: 0, y: 56, width: 256, height: 144)), "found \(area)")
        let hasher = PDQHasher()
        let cropped = hasher.hash(luma: frame, width: 256, height: 256, area: area).hash
        let whole = hasher.hash(luma: frame, width: 256, height: 256).hash
        let reference = hasher.hash(luma: original, width: 512, height: 288).hash
        let unboxed = hasher.hash(luma: picture, width: 256, height: 144).hash
        #expect(cropped.distance(to: unboxed) <= 4, "cropped hash \(cropped.distance(to: unboxed)) bits from the unboxed picture")
        // Against the full-resolution original the scaling itself costs a few bits.
        #expect(cropped.distance(to: reference) <= 20, "cropped hash \(cropped.distance(to: reference)) bits away")
        #expect(whole.distance(to: reference) > 40, "uncropped was already close?")
    }

    @Test func offCentreBarsOfPaddingAreFoundAndDarkTextureOfUnequalHeightsIsNot() {
        // A 16:9 picture placed high in a taller frame (a 9:16 re-upload leaving room below for
        // captions): bars of 40 and 116 rows, both compressed black.
        let picture = Synthetic.halve(Synthetic.picture(width: 512, height: 200, seed: 5), width: 512, height: 200)
        var rng = SeededGenerator(seed: 6)
        let bars = (0..<(256 * 256)).map { _ in UInt8.random(in: 0...3, using: &rng) }
        let high = Self.paste(picture, pw: 256, ph: 100, into: bars, w: 256, x: 0, y: 40)
        let area = detector.detect(luma: high, width: 256, height: 256)
        #expect(Self.near(area, PixelRect(x: 0, y: 40, width: 256, height: 100)), "found \(area)")
        // The same picture between dark, grainy strips of 40 and 116 rows (a night sky above,
        // shadow below): dark enough for bars, but not the flat padding unequal bars must be.
        let grain = (0..<(256 * 256)).map { _ in UInt8.random(in: 4...14, using: &rng) }
        let night = Self.paste(picture, pw: 256, ph: 100, into: grain, w: 256, x: 0, y: 40)
        #expect(detector.detect(luma: night, width: 256, height: 256) == .full(width: 256, height: 256))
        // Between them, equal grainy strips are still taken as a letterbox (as before).
        let centred = Self.paste(picture, pw: 256, ph: 100, into: grain, w: 256, x: 0, y: 78)
        #expect(Self.near(detector.detect(luma: centred, width: 256, height: 256), PixelRect(x: 0, y: 78, width: 256, height: 100)))
    }

    @Test func pillarboxAtVideoBlackIsFound() {
        let picture = Synthetic.picture(width: 160, height: 256, seed: 2)
        let frame = Self.paste(picture, pw: 160, ph: 256, into: [UInt8](repeating: 16, count: 256 * 256), w: 256, x: 48, y: 0)
        let area = detector.detect(luma: frame, width: 256, height: 256)
        #expect(Self.near(area, PixelRect(x: 48, y: 0, width: 160, height: 256)), "found \(area)")
    }

    @Test func blurredFillIsFound() {
        // 9:16 frame (144 x 256): a 16:9 picture (144 x 81) centred over a blurred, enlarged,
        // darkened copy of itself, like the short-video apps' framing.
        let (w, h) = (144, 256)
        let picture = Synthetic.picture(width: 144, height: 81, seed: 6)
        let stretched = Synthetic.resize(picture, width: 144, height: 81, toWidth: w, height: h)
        let fill = Self.boxBlur(stretched, w: w, h: h, r: 8, passes: 3).map { UInt8(Double($0) * 0.9) }
        let frame = Self.paste(picture, pw: 144, ph: 81, into: fill, w: w, x: 0, y: 87)
        let area = detector.detect(luma: frame, width: w, height: h)
        #expect(Self.near(area, PixelRect(x: 0, y: 87, width: 144, height: 81), 3), "found \(area)")
    }

    @Test func ordinaryPicturesAndGradientsStayWhole() {
        let (w, h) = (256, 256)
        var frames: [(String, [UInt8])] = []
        frames.append(("vertical gradient", (0..<(w * h)).map { UInt8($0 / w) }))
        frames.append(("horizontal gradient", (0..<(w * h)).map { UInt8($0 % w) }))
        frames.append(("dark-top gradient", (0..<(w * h)).map { UInt8(min(255, ($0 / w) * ($0 / w) / 200)) }))
        for seed in 10..<14 { frames.append(("synthetic \(seed)", Synthetic.picture(width: w, height: h, seed: UInt64(seed)))) }
        // A dark strip on one side only is the picture's own (one-sided bars are not taken).
        var strip = Synthetic.picture(width: w, height: h, seed: 20)
        for y in 0..<h { for x in 0..<30 { strip[y * w + x] = 2 } }
        frames.append(("one-sided strip", strip))
        for (name, f) in frames {
            #expect(detector.detect(luma: f, width: w, height: h) == .full(width: w, height: h), "\(name) was cropped")
        }
    }

    @Test func testPhotographsStayWholeAndTheLetterboxedOneIsCropped() throws {
        for v in try TestSupport.loadVectors() where v.width >= 64 && v.height >= 64 {
            let url = TestSupport.pdqVectorsDirectory.appendingPathComponent(v.file)
            // Squashed to 256x256 gray, as the pipeline's analysis frames are.
            let rgb = try TestSupport.decodeRGB(url)
            var gray = [UInt8](repeating: 0, count: v.width * v.height)
            for i in gray.indices {
                let r = 0.299 * Double(rgb[3 * i]), g = 0.587 * Double(rgb[3 * i + 1]), b = 0.114 * Double(rgb[3 * i + 2])
                gray[i] = UInt8((r + g + b).rounded())
            }
            let frame = Synthetic.resize(gray, width: v.width, height: v.height, toWidth: 256, height: 256)
            let area = detector.detect(luma: frame, width: 256, height: 256)
            if v.file.contains("letterbox") {
                // A 180 x 180 picture padded by 140 rows above and below (460 rows): rows 78..<178.
                #expect(Self.near(area, PixelRect(x: 0, y: 78, width: 256, height: 100), 2), "\(v.file): \(area)")
            } else {
                #expect(area == .full(width: 256, height: 256), "\(v.file) was cropped to \(area)")
            }
        }
    }

    @Test func trackerHoldsUntilConfirmed() {
        var tracker = ActiveAreaTracker(confirmations: 3)
        let a = PixelRect(x: 0, y: 50, width: 256, height: 156), b = PixelRect.full(width: 256, height: 256)
        #expect(tracker.update(a) == a)
        #expect(tracker.update(b) == a)
        #expect(tracker.update(a) == a)   // a blip of b does not switch
        #expect(tracker.update(b) == a)
        #expect(tracker.update(b) == a)
        #expect(tracker.update(b) == b)   // third consecutive b switches
        tracker.reset()
        #expect(tracker.current == nil)
    }

    @Test func insetIsFoundOverOtherContent() {
        let (w, h) = (256, 256)
        // Different material inside and out (a darker scene behind a brighter one), so the inset's
        // border is an edge nearly all the way round, as in the corpus's picture-in-picture.
        let background = Synthetic.picture(width: w, height: h, seed: 30).map { $0 / 2 + 10 }
        let inset = Synthetic.picture(width: 102, height: 102, seed: 31).map { UInt8(min(255, Int($0) / 2 + 120)) }
        let frame = Self.paste(inset, pw: 102, ph: 102, into: background, w: w, x: 144, y: 17)
        let found = InsetFinder().find(luma: frame, width: w, height: h)
        #expect(found.contains { Self.near($0, PixelRect(x: 144, y: 17, width: 102, height: 102), 1) }, "found \(found)")
    }

    @Test func twoInsetsAreBothFoundNeitherTwice() {
        let (w, h) = (256, 256)
        // Two pictures pasted apart over a darker scene: each is found, and no two found
        // rectangles overlap by half (the second pick skips every near-copy of the first).
        let background = Synthetic.picture(width: w, height: h, seed: 30).map { $0 / 2 + 10 }
        let first = Synthetic.picture(width: 90, height: 90, seed: 31).map { UInt8(min(255, Int($0) / 2 + 120)) }
        let second = Synthetic.picture(width: 80, height: 70, seed: 32).map { UInt8(min(255, Int($0) / 2 + 120)) }
        var frame = Self.paste(first, pw: 90, ph: 90, into: background, w: w, x: 20, y: 30)
        frame = Self.paste(second, pw: 80, ph: 70, into: frame, w: w, x: 150, y: 150)
        let found = InsetFinder().find(luma: frame, width: w, height: h)
        #expect(found.count == 2, "found \(found)")
        #expect(found.contains { Self.near($0, PixelRect(x: 20, y: 30, width: 90, height: 90), 1) }, "found \(found)")
        #expect(found.contains { Self.near($0, PixelRect(x: 150, y: 150, width: 80, height: 70), 1) }, "found \(found)")
        for (i, a) in found.enumerated() { for b in found[(i + 1)...] { #expect(a.overlap(with: b) <= 0.5) } }
    }

    @Test func regionsLieInsideTheArea() {
        let area = PixelRect(x: 10, y: 40, width: 200, height: 120)
        let regions = HashRegions.regions(in: area) + HashRegions.regions(in: area, templates: HashRegions.referenceCrops)
        #expect(HashRegions.regions(in: area).count == 4)
        #expect(HashRegions.regions(in: area, templates: HashRegions.referenceCrops).count == 6)
        #expect(Set(HashRegions.regions(in: area).map(\.name)).count == 4)
        for r in regions {
            #expect(r.rect.x >= area.x && r.rect.y >= area.y && r.rect.maxX <= area.maxX && r.rect.maxY <= area.maxY, "\(r.name) \(r.rect)")
        }
    }

    /// The line statistics' definition, pixel by pixel along each line (the detector sweeps
    /// rows instead): every field must come out identical, on random frames and rectangles.
    @Test func lineStatsFollowTheirDefinition() {
        var rng = SeededGenerator(seed: 34)
        for (w, h) in [(33, 40), (256, 256), (97, 31)] {
            let frame = Synthetic.picture(width: w, height: h, seed: UInt64(w))
            for _ in 0..<6 {
                let x = Int.random(in: 0..<(w / 2), using: &rng), y = Int.random(in: 0..<(h / 2), using: &rng)
                let rect = PixelRect(x: x, y: y, width: Int.random(in: 1...(w - x), using: &rng),
                                     height: Int.random(in: 1...(h - y), using: &rng))
                for rows in [true, false] {
                    let got = frame.withUnsafeBufferPointer { LumaView(base: $0.baseAddress!, width: w).lineStats(in: rect, rows: rows) }
                    let count = rows ? rect.height : rect.width, length = rows ? rect.width : rect.height
                    #expect(got.count == count)
                    for line in 0..<min(count, got.count) {
                        var sum = 0, sumSq = 0, diff = 0, step = 0, covered = 0
                        for k in 0..<length {
                            let (px, py) = rows ? (rect.x + k, rect.y + line) : (rect.x + line, rect.y + k)
                            let v = Int(frame[py * w + px])
                            sum += v; sumSq += v * v
                            if k > 0 { diff += abs(v - Int(frame[rows ? py * w + px - 1 : (py - 1) * w + px])) }
                            if line > 0 {
                                let d = abs(v - Int(frame[rows ? (py - 1) * w + px : py * w + px - 1]))
                                step += d; covered += d >= 8 ? 1 : 0
                            }
                        }
                        let n = Double(length), mean = Double(sum) / n
                        let s = got[line]
                        #expect(s.mean == mean && s.spread == max(0, Double(sumSq) / n - mean * mean).squareRoot()
                                && s.energy == (length > 1 ? Double(diff) / Double(length - 1) : 0)
                                && s.step == Double(step) / n && s.stepCoverage == Double(covered) / n,
                                "\(rows ? "row" : "column") \(line) of \(rect) in \(w)x\(h)")
                    }
                }
            }
        }
    }
}
