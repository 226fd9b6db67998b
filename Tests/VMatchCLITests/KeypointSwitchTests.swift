// The keypoint channel as a user switches it on (VMATCH_KEYPOINTS=1): a re-upload turned by
// a few degrees with its voice replaced has only its picture to give it away, and a whole-frame
// hash does not survive the turn.
import Foundation
import Testing

@Suite struct KeypointSwitchTests {
    @Test func aTurnedReuploadWithANewVoiceIsFoundOnlyWithKeypointsOn() throws {
        try Fixture.make()
        let turned = try CLI.ffmpeg("turned-new-voice.mp4", [
            "-i", Fixture.library.appendingPathComponent("talk.mp4").path,
            "-i", Fixture.suspects.appendingPathComponent("unrelated.mp4").path,
            "-filter_complex", "[0:v]trim=start=2:end=11,setpts=PTS-STARTPTS,rotate=8*PI/180:ow=iw:oh=ih:c=black[v]",
            "-map", "[v]", "-map", "1:a", "-shortest", "-c:v", "libx264", "-preset", "veryfast", "-c:a", "aac"])
        let on = ["VMATCH_DB": Fixture.database(), "VMATCH_KEYPOINTS": "1"]
        let index = try CLI.run(["index", Fixture.library.path], environment: on)
        #expect(index.status == 0, "\(index.stderr)")

        let found = try CLI.run(["compare", "--json", turned], environment: on)
        #expect(found.status == 1, "\(found.stderr)")
        struct Record: Decodable {
            struct Match: Decodable { var reference: String; var modality: String }
            var matches: [Match]
        }
        let record = try JSONDecoder().decode(Record.self, from: Data(found.stdout.utf8))
        #expect(record.matches.map { ($0.reference as NSString).lastPathComponent } == ["talk.mp4"], "\(found.stdout)")
        #expect(record.matches.first?.modality == "video", "\(found.stdout)")

        var off = on
        off["VMATCH_KEYPOINTS"] = nil
        let missed = try CLI.run(["compare", turned], environment: off)
        #expect(missed.status == 0, "\(missed.stdout)")
    }
}
