// MotionGrid: the motion channel's sample of one frame (`MotionSample`): the mean luma of each
// cell of a 4x4 grid over the active picture area. Input shape: a row-major 8-bit luma plane
// of width x height and the area (inside it); cells split the area as evenly as whole pixels
// allow.
import Fingerprint

public enum MotionGrid {
    public static func sample(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, area: PixelRect, time: Double) -> MotionSample {
        let n = MotionSample.side
        var cells = SIMD16<UInt16>()
        guard area.isInside(width: width, height: height) else { return MotionSample(time: Float(time), cells: cells) }
        var sums = [Int](repeating: 0, count: n * n)
        let columnEdges = (0 ... n).map { area.x + area.width * $0 / n }
        let rowEdges = (0 ... n).map { area.y + area.height * $0 / n }
        for cellRow in 0 ..< n {
            for y in rowEdges[cellRow] ..< rowEdges[cellRow + 1] {
                let line = y * width
                for cellColumn in 0 ..< n {
                    var s = 0
                    for x in columnEdges[cellColumn] ..< columnEdges[cellColumn + 1] { s += Int(luma[line + x]) }
                    sums[cellRow * n + cellColumn] += s
                }
            }
        }
        for row in 0 ..< n {
            for column in 0 ..< n {
                let pixels = (rowEdges[row + 1] - rowEdges[row]) * (columnEdges[column + 1] - columnEdges[column])
                guard pixels > 0 else { continue }
                cells[row * n + column] = UInt16(clamping: (sums[row * n + column] * 256 + pixels / 2) / pixels)
            }
        }
        return MotionSample(time: Float(time), cells: cells)
    }
}
