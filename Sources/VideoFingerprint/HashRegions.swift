// HashRegions: the sub-windows of a suspect frame that are hashed besides its active area, so that
// cropped, zoomed, picture-in-picture and split-screen copies still have a hash close to the
// reference's full-picture hash. Input shape: the active-area rectangle of one analysis frame.
//
// The set is a trade: each region is one more hash per frame to store or look up, and one more
// chance of a chance match against unrelated material. Measured on the dev corpus (2 fps suspect
// frames at 256 wide, nearest reference frame, median Hamming distance; Benchmarks/Sources/vf-measure):
//   - zoom-in crops (centre 20 %, corner 15 %, crop + mirror) are only recovered from the
//     reference side: the suspect shows *less* than the reference, so no window of the suspect
//     equals the reference, but a window of the reference equals the suspect. With the six
//     `referenceCrops` windows: 124 → 10 / 12, crop+mirror+colour 128 → 30, mirror+crop 128 → 10.
//   - fixed suspect windows (centre 80 %/64 %, halves, quadrants) helped no query; the corner
//     windows sized for a 40 % inset brought picture-in-picture from 122 to ~50 (not yet a match).
//   - their cost: the nearest reference frame to an unrelated frame went from 88 (area hash only)
//     to 68 with all 14 windows + mirror, and to 76 with the reference crops.
// So the defaults are the reference crops, and only the four inset-sized corner windows on the
// suspect side.

public struct HashRegion: Sendable, Hashable, Codable {
    /// Stable short name, for reports and debugging ("full", "centre80", "q-tr", ...).
    public var name: String
    public var rect: PixelRect

    public init(name: String, rect: PixelRect) {
        self.name = name
        self.rect = rect
    }
}

public enum HashRegions {
    /// A region as fractions of the active area.
    public struct Template: Sendable, Hashable {
        public var name: String
        public var x: Double, y: Double, width: Double, height: Double

        public init(_ name: String, x: Double, y: Double, width: Double, height: Double) {
            self.name = name
            self.x = x; self.y = y; self.width = width; self.height = height
        }
    }

    /// Every window measured (see the file comment); kept for experiments.
    public static let candidates: [Template] = [
        Template("centre80", x: 0.1, y: 0.1, width: 0.8, height: 0.8),
        Template("centre64", x: 0.18, y: 0.18, width: 0.64, height: 0.64),
        Template("left", x: 0, y: 0, width: 0.5, height: 1),
        Template("right", x: 0.5, y: 0, width: 0.5, height: 1),
        Template("top", x: 0, y: 0, width: 1, height: 0.5),
        Template("bottom", x: 0, y: 0.5, width: 1, height: 0.5),
        Template("q-tl", x: 0, y: 0, width: 0.5, height: 0.5),
        Template("q-tr", x: 0.5, y: 0, width: 0.5, height: 0.5),
        Template("q-bl", x: 0, y: 0.5, width: 0.5, height: 0.5),
        Template("q-br", x: 0.5, y: 0.5, width: 0.5, height: 0.5),
        Template("pip-tr", x: 0.55, y: 0.05, width: 0.42, height: 0.42),
        Template("pip-tl", x: 0.03, y: 0.05, width: 0.42, height: 0.42),
        Template("pip-br", x: 0.55, y: 0.53, width: 0.42, height: 0.42),
        Template("pip-bl", x: 0.03, y: 0.53, width: 0.42, height: 0.42),
    ]

    /// Windows of the *reference's* active area, hashed at index time so that zoomed-in
    /// (cropped) copies match: centre 90 % and 80 %, and the four 85 % corner windows.
    public static let referenceCrops: [Template] = [
        Template("centre90", x: 0.05, y: 0.05, width: 0.9, height: 0.9),
        Template("centre80", x: 0.1, y: 0.1, width: 0.8, height: 0.8),
        Template("c85-tl", x: 0, y: 0, width: 0.85, height: 0.85),
        Template("c85-tr", x: 0.15, y: 0, width: 0.85, height: 0.85),
        Template("c85-bl", x: 0, y: 0.15, width: 0.85, height: 0.85),
        Template("c85-br", x: 0.15, y: 0.15, width: 0.85, height: 0.85),
    ]

    /// The default suspect-side windows: inset-sized corners (picture-in-picture), plus whatever
    /// `InsetFinder` proposes per frame.
    public static var suspectDefault: [Template] { candidates.filter { $0.name.hasPrefix("pip-") } }

    /// The rectangles of `templates` inside `area` (pixel coordinates of the same frame). Regions
    /// too small to hash are dropped.
    public static func regions(in area: PixelRect, templates: [Template] = suspectDefault) -> [HashRegion] {
        templates.compactMap { t in
            let x0 = area.x + Int((t.x * Double(area.width)).rounded())
            let y0 = area.y + Int((t.y * Double(area.height)).rounded())
            let x1 = area.x + Int(((t.x + t.width) * Double(area.width)).rounded())
            let y1 = area.y + Int(((t.y + t.height) * Double(area.height)).rounded())
            let r = PixelRect(x: x0, y: y0, width: min(x1, area.maxX) - x0, height: min(y1, area.maxY) - y0)
            return r.width >= 16 && r.height >= 16 ? HashRegion(name: t.name, rect: r) : nil
        }
    }
}
