// MotionGrid: the motion channel's sample of one frame (`MotionSample`): the mean luma of each
// cell of an 8x8 grid over the active picture area, and the area's display shape. Input shape:
// a row-major 8-bit luma plane of width x height and the area (inside it); cells split the area
// as evenly as whole pixels allow. `pixelAspect` is how wide one pixel of the plane is displayed
// relative to its height (the plane may be a squeezed analysis image of the frame).
import Fingerprint

public enum MotionGrid {
    public static func sample(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, area: PixelRect,
                              pixelAspect: Double = 1, time: Double) -> MotionSample {
        let n = MotionSample.side
        var cells = SIMD64<UInt16>()
        guard area.isInside(width: width, height: height), area.height > 0 else { return MotionSample(time: Float(time), cells: cells) }
        let aspect = Float(Double(area.width) * pixelAspect / Double(area.height))
        // Cell edges, as even as whole pixels allow; sums in a fixed-size vector (no allocation per frame).
        func column(_ i: Int) -> Int { area.x + area.width * i / n }
        func row(_ i: Int) -> Int { area.y + area.height * i / n }
        var sums = SIMD64<Int>()
        for cellRow in 0 ..< n {
            for y in row(cellRow) ..< row(cellRow + 1) {
                let line = y * width
                for cellColumn in 0 ..< n {
                    // A cell's share of one row fits 32 bits (the row is at most `width` bytes
                    // of 255); wrapping adds on 32-bit lanes let the loop vectorise.
                    var s: Int32 = 0
                    for x in column(cellColumn) ..< column(cellColumn + 1) { s &+= Int32(luma[line + x]) }
                    sums[cellRow * n + cellColumn] += Int(s)
                }
            }
        }
        for r in 0 ..< n {
            for c in 0 ..< n {
                let pixels = (row(r + 1) - row(r)) * (column(c + 1) - column(c))
                guard pixels > 0 else { continue }
                cells[r * n + c] = UInt16(clamping: (sums[r * n + c] * 256 + pixels / 2) / pixels)
            }
        }
        return MotionSample(time: Float(time), aspect: aspect, cells: cells)
    }
}
