// Issue 30, as a user meets it: a clip cut from a loop (a short clip played forward and back)
// matches several places of the reference equally well — the reuse is certain, where in the
// reference is ambiguous, and the report says both; while another moment of a still scene
// (the same background, other movement) matches everywhere and is refused.
import Foundation
import Testing

@Suite struct LowMotionTests {
    struct Record: Decodable {
        struct Range: Decodable { var reference_start: Double; var reference_end: Double }
        struct Segment: Decodable { var reference_start: Double; var also_matches: [Range]?; var motion_agreement: Double? }
        struct Match: Decodable { var reference: String; var modality: String; var segments: [Segment] }
        var matches: [Match]
    }

    /// The library of `folder`, indexed; its environment for the commands.
    func indexed(_ folder: URL) throws -> [String: String] {
        let env = ["VMATCH_DB": Fixture.database()]
        let index = try CLI.run(["index", folder.path], environment: env)
        #expect(index.status == 0, "\(index.stderr)")
        return env
    }

    /// `compare --json` of `clip`: its record, and its output for messages.
    func compared(_ clip: String, _ env: [String: String]) throws -> (record: Record, output: String, status: Int32) {
        let r = try CLI.run(["compare", "--json", clip], environment: env)
        return (try JSONDecoder().decode(Record.self, from: Data(r.stdout.utf8)), r.stdout + r.stderr, r.status)
    }

    @Test func anExcerptOfALoopIsFoundWithTheOtherPlacesItMatches() throws {
        // 2.5 s of the fixture's talk (a camera move over a picture) played forward and back,
        // three times (15 s), with a tone; the suspect: 8 s of it from 3.2 s, with noise for sound.
        try Fixture.make()
        let loop = try CLI.ffmpeg("low-motion-loop.mp4", [
            "-i", Fixture.library.appendingPathComponent("talk.mp4").path,
            "-f", "lavfi", "-i", "sine=frequency=330:sample_rate=44100",
            "-filter_complex", "[0:v]trim=start=3:duration=2.5,setpts=PTS-STARTPTS,format=yuv420p,split=2[a][b];[b]reverse[r];[a][r]concat=n=2,loop=loop=2:size=125[v]",
            "-map", "[v]", "-map", "1:a", "-t", "15", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-c:a", "aac"])
        let folder = CLI.workDirectory.appendingPathComponent("low-motion-library")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let reference = folder.appendingPathComponent("loop.mp4")
        if !FileManager.default.fileExists(atPath: reference.path) { try FileManager.default.copyItem(atPath: loop, toPath: reference.path) }
        let excerpt = try CLI.ffmpeg("low-motion-loop-excerpt.mp4", [
            "-ss", "3.2", "-t", "8", "-i", loop, "-f", "lavfi", "-i", "anoisesrc=d=8:a=0.1",
            "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-c:a", "aac", "-shortest"])
        let env = try indexed(folder)

        let found = try compared(excerpt, env)
        #expect(found.status == 1, "\(found.output)")
        let match = try #require(found.record.matches.first, "\(found.output)")
        #expect(match.modality == "video")
        let segment = try #require(match.segments.first)
        // One of the forward passes that show it: 3.2 s itself, or 5 s later.
        #expect([3.2, 8.2].contains { abs(segment.reference_start - $0) < 0.5 }, "\(found.output)")
        #expect((segment.also_matches ?? []).count >= 2, "\(found.output)")
        let text = try CLI.run(["compare", excerpt], environment: env)
        #expect(text.stdout.contains("also matches the reference at"), "\(text.stdout)")
    }

    @Test func anotherMomentOfAStillSceneIsRefusedAndAnExcerptOfItFound() throws {
        // A still picture with a square crossing it; another moment: the square elsewhere,
        // going the other way. Everything that matches is the scene, which matches everywhere.
        let still = try CLI.ffmpeg("low-motion-still.png", [
            "-f", "lavfi", "-i", "mandelbrot=size=320x180:maxiter=200:start_scale=0.02:start_x=-0.7436438870:start_y=0.1318259042", "-frames:v", "1"])
        func scene(_ name: String, box: String, seconds: Int, tone: Int) throws -> String {
            try CLI.ffmpeg(name, [
                "-loop", "1", "-i", still, "-f", "lavfi", "-i", "color=white:size=30x30:rate=25",
                "-f", "lavfi", "-i", "sine=frequency=\(tone):sample_rate=44100",
                "-filter_complex", "[0:v][1:v]overlay=\(box):shortest=1,format=yuv420p[v]",
                "-map", "[v]", "-map", "2:a", "-t", "\(seconds)", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac"])
        }
        let folder = CLI.workDirectory.appendingPathComponent("still-scene-library")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let reference = folder.appendingPathComponent("scene.mp4")
        let made = try scene("low-motion-scene.mp4", box: "x='10+20*t':y=40", seconds: 14, tone: 250)
        if !FileManager.default.fileExists(atPath: reference.path) { try FileManager.default.copyItem(atPath: made, toPath: reference.path) }
        let other = try scene("low-motion-scene-other.mp4", box: "x='280-25*t':y=120", seconds: 8, tone: 470)
        let env = try indexed(folder)
        let checked = try CLI.run(["compare", other], environment: env)
        #expect(checked.status == 0, "\(checked.stdout)")
        #expect(checked.stdout.contains("no reuse found"), "\(checked.stdout)")
        // While the scene itself, cut from 4 s, downscaled, with noise and a new sound, is found:
        // the square crosses it as it did there.
        let excerpt = try CLI.ffmpeg("low-motion-scene-excerpt.mp4", [
            "-ss", "4", "-t", "8", "-i", made, "-f", "lavfi", "-i", "anoisesrc=d=8:a=0.1", "-map", "0:v", "-map", "1:a",
            "-vf", "scale=-2:120,noise=alls=15:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-crf", "28", "-c:a", "aac", "-shortest"])
        let found = try compared(excerpt, env)
        #expect(found.status == 1, "\(found.output)")
        let match = try #require(found.record.matches.first, "\(found.output)")
        #expect(match.modality == "video", "\(found.output)")
        #expect(abs((match.segments.first?.reference_start ?? -1) - 4) < 0.5, "\(found.output)")
    }

    @Test func aSlowZoomOverAPhotoDownscaledWithNoiseAndNewSoundIsFoundWhereItIs() throws {
        // The fixture's talk: a slow zoom (0.6 % a frame) and sway over a still picture. The
        // suspect: 7 s of it from 3 s, shrunk to 120 lines, with noise and a low-quality encode,
        // its voice replaced by noise — the picture alone must find it, at its moment.
        try Fixture.make()
        let excerpt = try CLI.ffmpeg("low-motion-zoom-excerpt.mp4", [
            "-ss", "3", "-t", "7", "-i", Fixture.library.appendingPathComponent("talk.mp4").path,
            "-f", "lavfi", "-i", "anoisesrc=d=7:a=0.1", "-map", "0:v", "-map", "1:a",
            "-vf", "scale=-2:120,noise=alls=20:allf=t", "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-c:a", "aac", "-shortest"])
        let env = try indexed(Fixture.library)
        let found = try compared(excerpt, env)
        #expect(found.status == 1, "\(found.output)")
        let match = try #require(found.record.matches.first, "\(found.output)")
        #expect(match.reference.hasSuffix("talk.mp4") && match.modality == "video", "\(found.output)")
        #expect(found.record.matches.count == 1, "\(found.output)")
        #expect(abs((match.segments.first?.reference_start ?? -1) - 3) < 0.5, "\(found.output)")
    }

    @Test func aFeaturelessPictureIsFoundByHowItChangesAlongItsSound() throws {
        // A slowly turning soft light field (no detail for a frame hash: PDQ quality under 10) under a
        // narration. The suspect: 10 s of it, downscaled, with noise and a low-quality encode.
        // Its picture is found along the sound's line by its changes; the same narration over
        // another moment of the same gradient, or over another gradient, is sound only.
        let folder = CLI.workDirectory.appendingPathComponent("featureless-library")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let voice = CLI.workDirectory.appendingPathComponent("featureless-voice.wav").path
        if !FileManager.default.fileExists(atPath: voice) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/espeak-ng")
            p.arguments = ["-v", "en-us", "-w", voice, "The weather this week stays mild along the coast, with a light breeze in the mornings and some cloud later in the day. Inland it will be colder at night, so keep a jacket handy if you travel early."]
            try p.run()
            p.waitUntilExit()
        }
        // A soft light field (one wave across the frame, ±24 levels: PDQ quality under 10) that
        // turns and shifts on an irregular path — drawn by formula, so the same on every run
        // (ffmpeg's gradient source draws its colours at random whatever its seed).
        func field(_ turn: String, _ shift: String) -> String {
            let angle = "(\(turn))"
            return "color=c=gray:s=640x360:r=25:d=16,format=gray,geq=lum='128+24*sin(2*PI*((X/W-0.5)*cos(\(angle))+(Y/H-0.5)*sin(\(angle)))+\(shift))'"
        }
        let made = try CLI.ffmpeg("featureless-sky.mp4", [
            "-f", "lavfi", "-i", field("0.5*sin(0.37*T)+0.3*sin(1.13*T)+0.2*T", "2*sin(0.23*T)+sin(0.71*T)"), "-i", voice,
            "-filter_complex", "[0:v]format=yuv420p[v];[1:a]apad[a]", "-map", "[v]", "-map", "[a]", "-t", "16",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-c:a", "aac"])
        let reference = folder.appendingPathComponent("sky.mp4")
        if !FileManager.default.fileExists(atPath: reference.path) { try FileManager.default.copyItem(atPath: made, toPath: reference.path) }
        let excerpt = try CLI.ffmpeg("featureless-sky-excerpt.mp4", [
            "-ss", "3", "-t", "10", "-i", made, "-vf", "scale=-2:180,noise=alls=25:allf=t",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-c:a", "aac"])
        let otherMoment = try CLI.ffmpeg("featureless-sky-other-moment.mp4", [
            "-t", "10", "-i", made, "-ss", "3", "-t", "10", "-i", made, "-map", "0:v", "-map", "1:a",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-c:a", "aac"])
        let otherPicture = try CLI.ffmpeg("featureless-other-sky.mp4", [
            "-f", "lavfi", "-i", field("0.6*sin(0.29*T)+0.4*sin(0.97*T)-0.15*T", "1.5*sin(0.31*T)+1.2*sin(0.83*T)"), "-ss", "3", "-t", "10", "-i", made,
            "-map", "0:v", "-map", "1:a", "-t", "10", "-pix_fmt", "yuv420p",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "26", "-c:a", "aac"])
        let env = try indexed(folder)

        let found = try compared(excerpt, env)
        #expect(found.status == 1, "\(found.output)")
        let match = try #require(found.record.matches.first, "\(found.output)")
        #expect(match.modality == "both", "\(found.output)")
        let agreement = try #require(match.segments.compactMap(\.motion_agreement).first, "\(found.output)")
        #expect(agreement >= 0.35 && agreement <= 1)
        let text = try CLI.run(["compare", excerpt], environment: env)
        #expect(text.stdout.contains("the picture by how it changes"), "\(text.stdout)")

        for clip in [otherMoment, otherPicture] {
            let checked = try compared(clip, env)
            let match = try #require(checked.record.matches.first, "\(clip): \(checked.output)")
            #expect(match.modality == "audio", "\(clip): \(checked.output)")
            #expect(match.segments.allSatisfy { $0.motion_agreement == nil }, "\(clip): \(checked.output)")
        }
    }
}
