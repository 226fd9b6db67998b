import Fingerprint
import Testing
@testable import VideoFingerprint

@Suite struct MotionGridTests {
    @Test func eachCellIsTheMeanOfItsPixelsInsideTheArea() {
        // A 12x10 frame: the area is 8x8 at (2, 1), its cells 2x2; each pixel's value is its
        // cell's number times 10, plus 1 on one pixel of each cell (means of x.25); outside, 255.
        let width = 12, height = 10
        var luma = [UInt8](repeating: 255, count: width * height)
        for y in 0 ..< 8 {
            for x in 0 ..< 8 {
                let cell = (y / 2) * 4 + x / 2
                luma[(y + 1) * width + x + 2] = UInt8(cell * 10 + (x % 2 == 0 && y % 2 == 0 ? 1 : 0))
            }
        }
        let sample = luma.withUnsafeBufferPointer {
            MotionGrid.sample(luma: $0, width: width, height: height, area: PixelRect(x: 2, y: 1, width: 8, height: 8), time: 1.5)
        }
        #expect(sample.time == 1.5)
        for cell in 0 ..< 16 { #expect(sample.cells[cell] == UInt16(cell * 10 * 256 + 64), "cell \(cell)") }
    }

    @Test func anAreaTooSmallForTheGridLeavesEmptyCellsAtZero() {
        let luma = [UInt8](repeating: 200, count: 9)
        let sample = luma.withUnsafeBufferPointer {
            MotionGrid.sample(luma: $0, width: 3, height: 3, area: PixelRect(x: 0, y: 0, width: 3, height: 3), time: 0)
        }
        // Columns 0, 0, 1, 2 edges: cells of width 0 in the first column of each row.
        #expect(sample.cells[0] == 0)
        #expect(sample.cells[15] == 200 * 256)
    }
}
