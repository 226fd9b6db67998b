// Scaler's limited-to-full range expansion of luma: the vector path against the table, every
// byte value, in every position of a block and in the scalar tail.

import Testing
@testable import Media

@Suite struct ScalerTests {
    @Test func expandRangeEqualsTheTable() {
        for shift in 0..<16 {
            // 256 values rotated by `shift`, plus a tail of 7 that the vector loop leaves.
            var bytes = (0..<(256 + 7)).map { UInt8(truncatingIfNeeded: $0 + shift) }
            let expected = bytes.map { Scaler.expand[Int($0)] }
            bytes.withUnsafeMutableBufferPointer { Scaler.expandRange($0.baseAddress!, count: $0.count) }
            #expect(bytes == expected, "rotated by \(shift)")
        }
    }
}
