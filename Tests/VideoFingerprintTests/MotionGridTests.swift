import Fingerprint
import Testing
@testable import VideoFingerprint

@Suite struct MotionGridTests {
    @Test func eachCellIsTheMeanOfItsPixelsInsideTheArea() {
        // A 20x18 frame: the area is 16x16 at (2, 1), its cells 2x2; each pixel's value is its
        // cell's number times 3, plus 1 on one pixel of each cell (means of x.25); outside, 255.
        let width = 20, height = 18
        var luma = [UInt8](repeating: 255, count: width * height)
        for y in 0 ..< 16 {
            for x in 0 ..< 16 {
                let cell = (y / 2) * 8 + x / 2
                luma[(y + 1) * width + x + 2] = UInt8(cell * 3 + (x % 2 == 0 && y % 2 == 0 ? 1 : 0))
            }
        }
        let sample = luma.withUnsafeBufferPointer {
            MotionGrid.sample(luma: $0, width: width, height: height, area: PixelRect(x: 2, y: 1, width: 16, height: 16),
                              pixelAspect: 1.5, time: 1.5)
        }
        #expect(sample.time == 1.5)
        // A square area of pixels displayed 1.5 times wider than high.
        #expect(sample.aspect == 1.5)
        for cell in 0 ..< 64 { #expect(sample.cells[cell] == UInt16(cell * 3 * 256 + 64), "cell \(cell)") }
    }

    @Test func anAreaTooSmallForTheGridLeavesEmptyCellsAtZero() {
        let luma = [UInt8](repeating: 200, count: 49)
        let sample = luma.withUnsafeBufferPointer {
            MotionGrid.sample(luma: $0, width: 7, height: 7, area: PixelRect(x: 0, y: 0, width: 7, height: 7), time: 0)
        }
        // Edges 0, 0, 1, 2, 3, 4, 5, 6, 7: cells of width 0 in the first column of each row.
        #expect(sample.cells[0] == 0)
        #expect(sample.cells[8] == 0)
        #expect(sample.cells[63] == 200 * 256)
        #expect(sample.aspect == 1)
    }
}
