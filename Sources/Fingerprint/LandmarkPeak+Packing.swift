// How the store keeps a reference's peaks (`SoundPeakChannel`, format 1). Peaks come in time
// order, 2–3 frames apart on average; a peak's speech score is often the one before's. Each peak:
//   - 2 bytes, little-endian: the bin (14 bits), bit 14 "speech as before", bit 15 "absolute";
//   - the frame: a LEB128 varint of the zigzagged difference from the peak before's (with
//     "absolute", of the frame itself): exact in any order;
//   - unless "speech as before", the speech score (UInt8).
// About 4 bytes a peak. The first peak of every `pack` is absolute and writes its speech, so a
// blob made of pieces packed on their own (the index spools a file's fingerprint a piece at a
// time) reads by concatenation; a blob read a piece at a time unpacks each piece after the last
// peak of the one before (`unpack(_:after:)`).

extension LandmarkPeak {
    static let speechAsBeforeFlag: UInt16 = 1 << 14
    static let absoluteFlag: UInt16 = 1 << 15
    static let binMask: UInt16 = (1 << 14) - 1

    /// Packs peaks. Traps on a bin of 2^14 steps or more, which the peak picker never makes.
    public static func pack(_ peaks: [LandmarkPeak]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(peaks.count * 4)
        var before: LandmarkPeak?
        for p in peaks {
            precondition(p.bin & ~binMask == 0, "LandmarkPeak.pack: bin \(p.bin) is past the analysed band")
            let sameSpeech = before.map { $0.speech == p.speech } ?? false
            appendLE(p.bin | (sameSpeech ? speechAsBeforeFlag : 0) | (before == nil ? absoluteFlag : 0), to: &out)
            appendVarint(zigzag(before.map { p.frame &- $0.frame } ?? p.frame), to: &out)
            if !sameSpeech { out.append(p.speech) }
            before = p
        }
        return out
    }

    /// Inverse of `pack` for the peaks of `bytes` that follow `previous`; nil when the bytes are
    /// not whole peaks or one needs a peak before and has none.
    public static func unpack(_ bytes: [UInt8], after previous: LandmarkPeak? = nil) -> [LandmarkPeak]? {
        bytes.withUnsafeBufferPointer { b -> [LandmarkPeak]? in
            var out = [LandmarkPeak]()
            out.reserveCapacity(b.count / 4)
            var before = previous
            var at = 0
            while at < b.count {
                guard let length = packedLength(b, at: at), at + length <= b.count else { return nil }
                let head = readLE(b, at, as: UInt16.self)
                var i = at + 2
                let step = unzigzag(readVarint(b, &i))
                var p = LandmarkPeak(frame: step, bin: head & binMask, speech: 0)
                if head & absoluteFlag == 0 {
                    guard let before else { return nil }
                    p.frame = before.frame &+ step
                }
                if head & speechAsBeforeFlag != 0 {
                    guard let before else { return nil }
                    p.speech = before.speech
                } else {
                    p.speech = b[i]
                }
                out.append(p)
                before = p
                at += length
            }
            return out
        }
    }

    /// How many of `bytes`, from the start, hold whole peaks.
    public static func wholePackedLength(_ bytes: [UInt8]) -> Int { wholeItemsLength(bytes, itemLength: packedLength) }

    /// The length of the peak at `at`; nil when it is cut or not one `pack` writes (an absolute
    /// peak with its speech "as before", a varint past 32 bits).
    private static func packedLength(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> Int? {
        guard at + 2 <= b.count else { return nil }
        let head = UInt16(b[at]) | UInt16(b[at + 1]) << 8
        let sameSpeech = head & speechAsBeforeFlag != 0
        if sameSpeech && head & absoluteFlag != 0 { return nil }
        guard let varint = varintLength(b, at: at + 2, bits: 32) else { return nil }
        return 2 + varint + (sameSpeech ? 0 : 1)
    }
}
