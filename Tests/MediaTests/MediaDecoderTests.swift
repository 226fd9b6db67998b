import Foundation
@testable import Media
import Testing

@Suite struct MediaDecoderTests {
    @Test func probeReportsStreams() throws {
        let info = try MediaDecoder.probe(path: try TestMedia.clip())
        #expect(info.video?.codec == "h264")
        #expect(info.video?.width == 320 && info.video?.height == 240)
        #expect(info.audio?.codec == "aac")
        #expect(info.audio?.sampleRate == 44100 && info.audio?.channels == 2)
        #expect(abs((info.duration ?? 0) - 10) < 0.1)
        #expect(abs((info.video?.frameRate ?? 0) - 30) < 0.01)
        #expect(!info.isStillImage)
    }

    @Test func samplesTwoFramesPerSecondByTime() throws {
        let options = DecodeOptions(video: VideoOutput(framesPerSecond: 2, width: 64, height: 48), audio: nil)
        var times: [Double] = []
        try MediaDecoder(path: try TestMedia.clip(), options: options).decode(video: { frame in
            #expect(frame.width == 64 && frame.height == 48 && frame.pixels.count == 64 * 48)
            times.append(frame.time)
        })
        #expect(times.count == 20)
        for (k, time) in times.enumerated() {
            #expect(abs(time - Double(k) * 0.5) <= 1.0 / 30 + 1e-6, "frame \(k) at \(time)")
        }
    }

    @Test func aDetailPictureKeepsTheFramesShapeAtItsOwnRate() throws {
        // 320×240 scaled up to a long side of 480; its rotated copy (90°) is 240×320 upright.
        for (clip, width, height) in [(try TestMedia.clip(), 480, 360), (try TestMedia.rotatedClip(), 360, 480)] {
            let options = DecodeOptions(video: VideoOutput(framesPerSecond: 4, width: 64, height: 64,
                                                           detail: DetailOutput(framesPerSecond: 1, longSide: 480)), audio: nil)
            var all = 0
            var detailed: [Double] = []
            try MediaDecoder(path: clip, options: options).decode(video: { frame in
                all += 1
                guard let detail = frame.detail else { return }
                #expect(detail.width == width && detail.height == height && detail.pixels.count == width * height)
                detailed.append(frame.time)
            })
            #expect(all == 40 && detailed.count == 10)
            for (k, time) in detailed.enumerated() { #expect(abs(time - Double(k)) <= 1.0 / 30 + 1e-6) }
        }
        #expect(DetailOutput(framesPerSecond: 1, longSide: 640).size(width: 1920, height: 1080) == (640, 360))
        #expect(DetailOutput(framesPerSecond: 1, longSide: 640).size(width: 1080, height: 1920) == (360, 640))
        #expect(DetailOutput(framesPerSecond: 1, longSide: 640).size(width: 0, height: 10) == (0, 0))
    }

    @Test func everyFrameWhenNoRateIsGiven() throws {
        let options = DecodeOptions(video: VideoOutput(width: 32, height: 32), audio: nil)
        var count = 0
        try MediaDecoder(path: try TestMedia.clip(), options: options).decode(video: { _ in count += 1 })
        #expect(count == 300)
    }

    @Test func skippingTheLoopFilterReachesTheDecoder() throws {
        // Every decoded frame (I, P and the reference B-frames), full-size gray, so no scaling
        // hides the deblocking filter's edits.
        func frames(_ skip: LoopFilterSkip) throws -> [VideoFrame] {
            let options = DecodeOptions(video: VideoOutput(layout: .gray8), audio: nil,
                                        skipNonReferenceFrames: true, skipLoopFilter: skip)
            var frames: [VideoFrame] = []
            try MediaDecoder(path: try TestMedia.blockyClip(), options: options).decode(video: { frames.append($0) })
            return frames
        }
        func meanDifference(_ a: VideoFrame, _ b: VideoFrame) -> Double {
            Double(zip(a.pixels, b.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +)) / Double(max(1, a.pixels.count))
        }
        let filtered = try frames(.none), bidirectional = try frames(.bidirectional), unfiltered = try frames(.all)
        #expect(filtered.count > 30 && bidirectional.count == filtered.count && unfiltered.count == filtered.count)
        #expect(zip(filtered, unfiltered).allSatisfy { $0.time == $1.time })
        // `.all`: every picture changes, the keyframe by the filter's own edits only, later ones
        // also by drift (ffmpeg's CLI: mean |difference| 1.4 on the keyframe, 7.5 after 2 s).
        for (k, (a, b)) in zip(filtered, unfiltered).enumerated() {
            #expect(a.pixels != b.pixels, "frame at \(a.time): the option did not reach the decoder")
            #expect(meanDifference(a, b) < (k == 0 ? 3 : 12), "frame at \(a.time): \(meanDifference(a, b))")
        }
        // `.bidirectional`: the keyframe and P-frames as filtered, the reference B-frames a little
        // off, and nothing drifts (ffmpeg's CLI: 0.1-0.2 on the B-frames).
        let changed = zip(filtered, bidirectional).filter { $0.pixels != $1.pixels }
        #expect(filtered[0].pixels == bidirectional[0].pixels)
        #expect(changed.count >= filtered.count / 4 && changed.count <= filtered.count * 3 / 4,
                "\(changed.count) of \(filtered.count) frames changed")
        #expect(changed.allSatisfy { meanDifference($0, $1) < 1 })
    }

    @Test func audioSampleCountMatchesDuration() throws {
        let options = DecodeOptions(video: nil, audio: AudioOutput(sampleRate: 8000))
        var total = 0
        var expectedStart = 0.0
        try MediaDecoder(path: try TestMedia.clip(), options: options).decode(audio: { chunk in
            #expect(chunk.sampleRate == 8000)
            #expect(abs(chunk.startTime - expectedStart) < 1e-6)
            expectedStart += Double(chunk.samples.count) / 8000
            total += chunk.samples.count
        })
        // AAC priming and padding may add or take a frame (1024 samples at 44.1 kHz ≈ 186 at 8 kHz).
        #expect(abs(total - 80_000) <= 200, "got \(total) samples")
    }

    @Test func audioIsMonoAtTheRequestedRate() throws {
        // A 1 kHz tone: at 8 kHz every 8 samples repeat a period; check the zero-crossing rate.
        let options = DecodeOptions(video: nil, audio: AudioOutput(sampleRate: 8000))
        var samples: [Float] = []
        try MediaDecoder(path: try TestMedia.audioOnly(), options: options).decode(audio: { samples += $0.samples })
        let middle = samples[4000 ..< 20000]
        let crossings = zip(middle.dropFirst(), middle).filter { $0 >= 0 && $1 < 0 }.count
        #expect(abs(crossings - 2000) <= 2, "\(crossings) upward crossings in 2 s")
    }

    @Test func rotatedPhoneVideoComesOutUpright() throws {
        let path = try TestMedia.rotatedClip()
        let info = try MediaDecoder.probe(path: path)
        // ffmpeg's `rotate=90` tag writes a display matrix that turns the picture 90° counter-clockwise.
        #expect(info.video?.rotation == 270)
        #expect(info.video?.width == 240 && info.video?.height == 320)
        var frame: VideoFrame?
        let options = DecodeOptions(video: VideoOutput(framesPerSecond: 1, width: 48, height: 64), audio: nil)
        try MediaDecoder(path: path, options: options).decode(video: { if frame == nil { frame = $0 } })
        let ours = try #require(frame)
        let reference = try TestMedia.ffmpegGrayFrame(path, at: 0, width: 48, height: 64)
        #expect(reference.count == ours.pixels.count)
        let meanDifference = zip(reference, ours.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / max(1, reference.count)
        // Unrotated, the same image differs by far more (~40); upright it matches ffmpeg's own.
        #expect(meanDifference <= 4, "mean |difference| \(meanDifference)")
    }

    @Test func variableFrameRateIsSampledByTimestamps() throws {
        let options = DecodeOptions(video: VideoOutput(framesPerSecond: 5, width: 32, height: 32), audio: nil)
        var times: [Double] = []
        try MediaDecoder(path: try TestMedia.variableRateClip(), options: options).decode(video: { times.append($0.time) })
        // 5 per second across both halves: 10 in the 30 fps part, 10 in the 10 fps part.
        #expect(times.count == 20, "\(times)")
        #expect(abs((times.last ?? 0) - 3.8) <= 0.1 + 1e-6)
        #expect(zip(times.dropFirst(), times).allSatisfy { $0 > $1 })
    }

    @Test func audioOnlyAndVideoOnlyFilesYieldWhatTheyHave() throws {
        var frames = 0, samples = 0
        try MediaDecoder(path: try TestMedia.audioOnly()).decode(video: { _ in frames += 1 }, audio: { samples += $0.samples.count })
        #expect(frames == 0 && samples > 20_000)
        frames = 0; samples = 0
        let silent = try TestMedia.videoOnly()
        #expect(try MediaDecoder.probe(path: silent).video?.codec == "vp9")
        try MediaDecoder(path: silent).decode(video: { _ in frames += 1 }, audio: { samples += $0.samples.count })
        #expect(frames == 50 && samples == 0)
    }

    @Test func stillImagesDecodeToOneFrame() throws {
        let path = try TestMedia.make("still.png", ["-f", "lavfi", "-i", "testsrc2=size=90x60", "-frames:v", "1"])
        let info = try MediaDecoder.probe(path: path)
        #expect(info.isStillImage && info.video?.width == 90)
        var frames: [VideoFrame] = []
        let options = DecodeOptions(video: VideoOutput(layout: .rgb24), audio: nil)
        try MediaDecoder(path: path, options: options).decode(video: { frames.append($0) })
        #expect(frames.count == 1 && frames.first?.pixels.count == 90 * 60 * 3)
    }
}
