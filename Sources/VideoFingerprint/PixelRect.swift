// PixelRect: an axis-aligned rectangle in a frame's pixel grid (origin top-left, y down).
// Input shape: integer pixel coordinates of one frame of known width and height.

public struct PixelRect: Sendable, Hashable, Codable, CustomStringConvertible {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The whole frame.
    public static func full(width: Int, height: Int) -> PixelRect {
        PixelRect(x: 0, y: 0, width: width, height: height)
    }

    public var maxX: Int { x + width }
    public var maxY: Int { y + height }
    public var area: Int { width * height }

    public func isInside(width frameWidth: Int, height frameHeight: Int) -> Bool {
        x >= 0 && y >= 0 && width > 0 && height > 0 && maxX <= frameWidth && maxY <= frameHeight
    }

    /// Intersection over union, 0...1; used to decide whether two detected areas are "the same".
    public func overlap(with other: PixelRect) -> Double {
        let ix = max(0, min(maxX, other.maxX) - max(x, other.x))
        let iy = max(0, min(maxY, other.maxY) - max(y, other.y))
        let inter = ix * iy
        let union = area + other.area - inter
        return union > 0 ? Double(inter) / Double(union) : 0
    }

    /// The rectangle given as fractions (0...1) of a frame, rounded to whole pixels and clamped.
    public static func fraction(x fx: Double, y fy: Double, width fw: Double, height fh: Double,
                                ofWidth w: Int, height h: Int) -> PixelRect {
        let x0 = min(max(0, Int((fx * Double(w)).rounded())), w - 1)
        let y0 = min(max(0, Int((fy * Double(h)).rounded())), h - 1)
        let x1 = min(max(x0 + 1, Int(((fx + fw) * Double(w)).rounded())), w)
        let y1 = min(max(y0 + 1, Int(((fy + fh) * Double(h)).rounded())), h)
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
