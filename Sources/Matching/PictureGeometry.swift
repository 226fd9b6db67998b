// Where a reference picture sits in a suspect frame, as the keypoint channel's fit found it: what
// an analyst points at ("shown at 31 % of the frame, rotated 7°"). Whole-frame channels (PDQ)
// find no geometry; their hits and segments carry none.

public struct PictureGeometry: Sendable, Equatable, Codable {
    /// The reference frame's corners (its top left, top right, bottom right, bottom left) in the
    /// suspect frame, as fractions of the suspect frame's width and height (0…1 inside it; a
    /// crop puts some outside). Mirror-image copies are given in the suspect frame as it plays.
    public var corners: [SIMD2<Double>]
    /// Degrees, clockwise as seen on screen, of the reference picture's horizontal in the
    /// suspect frame (of the mirrored picture's, for a mirror-image copy).
    public var rotation: Double
    /// Whether the suspect shows the reference mirrored left to right.
    public var mirrored: Bool
    /// Keypoints in distinct places that agree with the fit.
    public var inliers: Int

    public init(corners: [SIMD2<Double>], rotation: Double, mirrored: Bool, inliers: Int) {
        self.corners = corners
        self.rotation = rotation
        self.mirrored = mirrored
        self.inliers = inliers
    }

    /// The share of the suspect frame's area the reference picture covers (the outline's area;
    /// above 1 when the suspect shows a part of it enlarged).
    public var areaShare: Double {
        guard corners.count >= 3 else { return 0 }
        var twice = 0.0
        for i in corners.indices {
            let a = corners[i], b = corners[(i + 1) % corners.count]
            twice += a.x * b.y - b.x * a.y
        }
        return abs(twice) / 2
    }

    /// Whether the outline is the suspect frame itself (each corner within `tolerance` of the
    /// frame's, in frame fractions), unturned and unmirrored: a whole-frame copy.
    public func isWholeFrame(tolerance: Double = 0.03) -> Bool {
        let frame: [SIMD2<Double>] = [SIMD2(0, 0), SIMD2(1, 0), SIMD2(1, 1), SIMD2(0, 1)]
        return !mirrored && corners.count == 4
            && zip(corners, frame).allSatisfy { a, b in let d = a - b; return (d * d).sum() <= tolerance * tolerance }
    }
}

extension PictureGeometry {
    /// The outline `fit` gives: the reference frame (`referenceSize` pixels) mapped by its
    /// transform into the suspect frame (`suspectSize` pixels), in fractions of that frame.
    /// `mirrored`: the fit's suspect positions are in the suspect's mirror image (a mirrored
    /// description); the outline and angle are turned back to the frame as it plays.
    package init(_ fit: GeometricFit.Fit, referenceSize: SIMD2<Double>, suspectSize: SIMD2<Double>, mirrored: Bool) {
        let corners = fit.transform.corners(ofWidth: referenceSize.x, height: referenceSize.y).map { p -> SIMD2<Double> in
            let share = p / suspectSize
            return mirrored ? SIMD2(1 - share.x, share.y) : share
        }
        let rotation = fit.transform.rotation(at: referenceSize / 2)
        self.init(corners: corners, rotation: (mirrored ? -rotation : rotation) * 180 / .pi, mirrored: mirrored,
                  inliers: fit.distinctInliers)
    }
}
