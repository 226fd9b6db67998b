// What the keypoint channel (`KeypointHits`) reads from one reference: its plausible, unmirrored
// keypoint frames laid out flat (per keypoint its descriptor, frames and position; per frame its
// time and picture size) and when each keypoint is seen, which tells at which frames it belongs
// to the scene rather than the moment (`KeypointHits.seenSpans`, `KeypointHits.isOfScene`). A
// keypoint carried over from frame to frame as it was (`KeypointRecipe` carries a corner found
// again in place; the store writes it once) is one keypoint of a run of frames, looked up once.
// When keypoints are seen depends on this reference's keypoints alone and costs a search over
// all of them, so a run that holds a reference across suspects (`LoadedReferences`) prepares
// this once with its fingerprint; `KeypointHits` only concatenates.
import Fingerprint

package struct ReferenceKeypoints: Sendable {
    /// Per keypoint, in order of first frame: its descriptor, its first and last frame (places in
    /// `frameTime`: it is in every frame between) and its position, and the first and last time it or
    /// one like it in the same place is seen.
    let descriptors: [BinaryDescriptor]
    let firstFrame: [UInt32]
    let lastFrame: [UInt32]
    let position: [SIMD2<Double>]
    let seen: [SIMD2<Float>]
    /// Per keypoint frame: its time and picture size.
    let frameTime: [Float]
    let frameSize: [SIMD2<Double>]

    package init(_ fingerprint: MediaFingerprint) {
        var descriptors: [BinaryDescriptor] = [], firstFrame: [UInt32] = [], lastFrame: [UInt32] = []
        var position: [SIMD2<Double>] = []
        var frameTime: [Float] = [], frameSize: [SIMD2<Double>] = []
        // The keypoints of the frame before, by value: the ones seen again as they were go on.
        var before: [Carried: Int] = [:], now: [Carried: Int] = [:]
        for frame in fingerprint.keypointFrames where !frame.mirrored && MediaFingerprint.isPlausible(frame.time) {
            let f = UInt32(frameTime.count)
            frameTime.append(frame.time)
            frameSize.append(SIMD2(Double(frame.width), Double(frame.height)))
            for k in frame.keypoints {
                let key = Carried(k)
                if let i = before.removeValue(forKey: key) {
                    lastFrame[i] = f
                    now[key] = i
                    continue
                }
                now[key] = descriptors.count
                descriptors.append(k.descriptor)
                firstFrame.append(f)
                lastFrame.append(f)
                position.append(SIMD2(Double(k.x), Double(k.y)))
            }
            swap(&before, &now)
            now.removeAll(keepingCapacity: true)
        }
        self.descriptors = descriptors
        self.firstFrame = firstFrame
        self.lastFrame = lastFrame
        self.position = position
        self.frameTime = frameTime
        self.frameSize = frameSize
        seen = KeypointHits.seenSpans(first: firstFrame, last: lastFrame, position: position, descriptors: descriptors,
                                      owner: [UInt32](repeating: 0, count: frameTime.count), time: frameTime, size: frameSize)
    }

    /// What makes a keypoint the same as one of the frame before: as it was, place and description.
    private struct Carried: Hashable {
        var x: Float, y: Float
        var words: SIMD4<UInt64>

        init(_ k: Keypoint) {
            x = k.x
            y = k.y
            words = k.descriptor.words
        }
    }

    package var keypointCount: Int { descriptors.count }
}
