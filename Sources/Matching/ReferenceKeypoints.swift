// What the keypoint channel (`KeypointHits`) reads from one reference: its plausible, unmirrored
// keypoint frames laid out flat (per keypoint its descriptor, frame and position; per frame its
// time and picture size) and which keypoints belong to the scene rather than the moment
// (`KeypointHits.staticKeypoints`). Those flags depend on this reference's keypoints alone and
// cost a search over all of them, so a run that holds a reference across suspects
// (`LoadedReferences`) prepares this once with its fingerprint; `KeypointHits` only concatenates.
import Fingerprint

package struct ReferenceKeypoints: Sendable {
    /// Per keypoint, in frame order: its descriptor, its frame (a place in `frameTime`) and its
    /// position, and whether it is of the scene.
    let descriptors: [BinaryDescriptor]
    let keypointFrame: [UInt32]
    let position: [SIMD2<Double>]
    let isStatic: [Bool]
    /// Per keypoint frame: its time and picture size.
    let frameTime: [Float]
    let frameSize: [SIMD2<Double>]

    package init(_ fingerprint: MediaFingerprint) {
        var descriptors: [BinaryDescriptor] = [], keypointFrame: [UInt32] = [], position: [SIMD2<Double>] = []
        var frameTime: [Float] = [], frameSize: [SIMD2<Double>] = []
        for frame in fingerprint.keypointFrames where !frame.mirrored && MediaFingerprint.isPlausible(frame.time) {
            let f = UInt32(frameTime.count)
            frameTime.append(frame.time)
            frameSize.append(SIMD2(Double(frame.width), Double(frame.height)))
            for k in frame.keypoints {
                descriptors.append(k.descriptor)
                keypointFrame.append(f)
                position.append(SIMD2(Double(k.x), Double(k.y)))
            }
        }
        self.descriptors = descriptors
        self.keypointFrame = keypointFrame
        self.position = position
        self.frameTime = frameTime
        self.frameSize = frameSize
        isStatic = KeypointHits.staticKeypoints(frame: keypointFrame, position: position, descriptors: descriptors,
                                                owner: [UInt32](repeating: 0, count: frameTime.count), time: frameTime, size: frameSize)
    }

    package var keypointCount: Int { descriptors.count }
}
