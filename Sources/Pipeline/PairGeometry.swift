// The fit of one evidence pair: where the reference picture sits in the suspect picture cut at
// the same matched instant, found from those two pictures alone, as the keypoint channel finds
// it between a suspect frame and a reference frame (`KeypointHits`), so that each pair of the
// report shows its own outline rather than the passage's.
//
// Input: the two pictures as the fingerprint's keypoints saw them (gray, long side as
// `KeypointRecipe.detail` says for each role). Steps: ORB keypoints of both (`KeypointExtractor`,
// the roles' keypoint budgets; the suspect described both as the strongest anywhere and spread
// over a grid as `compare` spreads its whole frame — a small inset gets few of the spread corners,
// a soft half of a split screen few of the others — and also mirrored); each suspect keypoint's
// nearest reference keypoint by descriptor, kept when within `maximumDistance` bits and clearly
// nearer than the second nearest (Lowe's ratio test, `ratio`); a similarity or homography fitted
// robustly (`GeometricFit`, inlier radius 1 % of the suspect's diagonal, at least 3 pixels);
// of the descriptions, the fit with the most distinct inliers.
//
// The ratio is against the second nearest keypoint of the same picture (there is one reference
// picture here), where the channel judges it against other videos.
import Findings
import Fingerprint
import Matching
import Media
import VideoFingerprint

package final class PairGeometry {
    /// A pair's fit: the outline, and where its inliers are in the suspect picture (fractions
    /// of the frame as it plays, spread over the inliers, at most `FramePair.maximumInlierPoints`).
    package struct Found {
        package var geometry: PictureGeometry
        package var inlierPoints: [SIMD2<Double>]
    }

    static let maximumDistance = 64
    static let ratio = 0.8

    /// The suspect's describers: the strongest corners anywhere, and spread over a grid.
    private let suspectExtractors: [KeypointExtractor]
    private let referenceExtractor: KeypointExtractor

    /// `spreadCells`: the spread of the keypoint channel's whole-frame description
    /// (`FingerprintOptions.spreadCorners`; 0: the strongest anywhere only).
    package init(spreadCells: Int = FingerprintOptions.spreadCornersFromEnvironment) {
        var options = KeypointExtractor.Options()
        options.maximumKeypoints = KeypointRecipe.suspectKeypoints
        var spread = options
        spread.spreadCells = spreadCells
        suspectExtractors = [KeypointExtractor(options: options)] + (spreadCells > 0 ? [KeypointExtractor(options: spread)] : [])
        options.maximumKeypoints = KeypointRecipe.referenceKeypoints
        referenceExtractor = KeypointExtractor(options: options)
    }

    /// Where `reference` sits in `suspect`, or nil when the keypoints agree on no placement.
    package func fit(suspect: DetailPicture, reference: DetailPicture) -> Found? {
        let references = reference.pixels.withUnsafeBufferPointer {
            referenceExtractor.keypoints(luma: $0, width: reference.width, height: reference.height)
        }
        guard !references.isEmpty else { return nil }
        let descriptions = suspectExtractors.flatMap { extractor in
            let described = suspect.pixels.withUnsafeBufferPointer {
                extractor.keypointsAndMirror(luma: $0, width: suspect.width, height: suspect.height)
            }
            return [(false, described.own), (true, described.mirrored)]
        }
        let diagonal = Double(suspect.width * suspect.width + suspect.height * suspect.height).squareRoot()
        var fitter = GeometricFit(inlierRadius: max(3, 0.01 * diagonal))
        fitter.allowsHomography = true
        let suspectSize = SIMD2(Double(suspect.width), Double(suspect.height))
        let referenceSize = SIMD2(Double(reference.width), Double(reference.height))

        var best: Found?
        for (mirrored, keypoints) in descriptions {
            let pairs = Self.pairs(keypoints, references)
            guard let found = fitter.fit(pairs), found.distinctInliers > best?.geometry.inliers ?? -1 else { continue }
            let step = max(1, (found.inliers.count + FramePair.maximumInlierPoints - 1) / FramePair.maximumInlierPoints)
            let points = stride(from: 0, to: found.inliers.count, by: step).map { i -> SIMD2<Double> in
                let share = pairs[found.inliers[i]].suspect / suspectSize
                return mirrored ? SIMD2(1 - share.x, share.y) : share
            }
            best = Found(geometry: PictureGeometry(found, referenceSize: referenceSize, suspectSize: suspectSize, mirrored: mirrored),
                         inlierPoints: points)
        }
        return best
    }

    /// Each suspect keypoint with its nearest reference keypoint, where that is within
    /// `maximumDistance` and passes the ratio test against the second nearest.
    static func pairs(_ suspect: [Keypoint], _ reference: [Keypoint]) -> [PointPair] {
        var out: [PointPair] = []
        for k in suspect {
            var first = (index: -1, distance: Int.max), second = Int.max
            for (i, r) in reference.enumerated() {
                let d = k.descriptor.distance(to: r.descriptor)
                if d < first.distance { second = first.distance; first = (i, d) } else if d < second { second = d }
            }
            guard first.index >= 0, first.distance <= maximumDistance,
                  second == .max || Double(first.distance) <= ratio * Double(second) else { continue }
            let r = reference[first.index]
            out.append(PointPair(suspect: SIMD2(Double(k.x), Double(k.y)), reference: SIMD2(Double(r.x), Double(r.y))))
        }
        return out
    }
}
