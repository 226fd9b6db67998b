// How the store keeps a reference's landmarks (`SoundLandmarkChannel`), in two formats.
//
// Format 1 (before issue 33): one 14-byte little-endian record per landmark: hash (UInt32), time
// (Float32), pitch and span (UInt16), speech and probes (UInt8). Still read: libraries indexed
// before keep their blobs (see `SoundLandmarkChannel.format`).
//
// Format 2: a landmark is mostly what the one before said. The hasher emits every triplet of an
// anchor peak in a row (~5 per anchor), and these share the time, pitch and speech; anchors come
// in time order, tens of milliseconds apart. So each landmark is written as
//   - 3 bytes, little-endian: the hash (`LandmarkHash.bits` = 21 bits) and two flags above it,
//     bit 21 "same anchor" and bit 22 "absolute time" (bit 23 is never set);
//   - unless the same anchor: the time, as a LEB128 varint of the zigzagged difference of its
//     Float32 bit pattern from the landmark before's (or, with "absolute time", of the bit
//     pattern itself), then pitch (UInt16) and speech (UInt8);
//   - the span (UInt16).
// "Same anchor" means time (bit for bit), pitch and speech equal to the landmark before's. Times
// are interpolated between spectrogram frames (`PeakPicker`), so they lie on no grid; the bit
// pattern's difference keeps them exact whatever they are, and is small for positive times in
// order (1–3 bytes), but any order round-trips. `probes` is not kept: only a query's
// landmarks are looked up by their probes (`LandmarkHash.probes(of:)`), and queries are never
// read from the store; unpacking gives 0.
//
// The first landmark of every `pack` has an absolute time and is not "same anchor", so a blob made
// of pieces packed on their own (the index spools a file's fingerprint a piece at a time) reads
// by concatenation; a blob read a piece at a time unpacks each piece after the last landmark of
// the one before (`unpack(_:after:)`). 6.1 bytes a landmark on the dev references, against 14
// (10 in the sparser anchors tier, where fewer triplets of one anchor follow each other).

extension AudioLandmark {
    /// Bytes of a format-1 record.
    public static let recordSize = 14
    /// About the bytes a landmark takes in format 2, to reserve memory from a blob's length
    /// (a format-1 blob reserves more than it needs).
    public static let typicalPackedSize = 6

    /// Hash bits above `LandmarkHash.bits` in a format-2 landmark's first 3 bytes.
    static let sameAnchorFlag: UInt32 = 1 << 21
    static let absoluteTimeFlag: UInt32 = 1 << 22
    static let flagMask: UInt32 = 0xFF_FFFF & ~LandmarkHash.mask

    /// Packs landmarks in format 2 (probes dropped). Traps on a hash wider than `LandmarkHash.bits`,
    /// which the hasher never makes.
    public static func pack(_ landmarks: [AudioLandmark]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(landmarks.count * 6)
        var before: AudioLandmark?
        for l in landmarks {
            precondition(l.hash & ~LandmarkHash.mask == 0, "AudioLandmark.pack: hash \(l.hash) is wider than LandmarkHash.bits")
            let same = before.map { $0.time.bitPattern == l.time.bitPattern && $0.pitch == l.pitch && $0.speech == l.speech } ?? false
            let head = l.hash | (same ? sameAnchorFlag : 0) | (before == nil ? absoluteTimeFlag : 0)
            out.append(UInt8(truncatingIfNeeded: head))
            out.append(UInt8(truncatingIfNeeded: head >> 8))
            out.append(UInt8(truncatingIfNeeded: head >> 16))
            if !same {
                if let before {
                    let step = Int32(bitPattern: l.time.bitPattern &- before.time.bitPattern)
                    appendVarint(UInt32(bitPattern: step << 1 ^ step >> 31), to: &out)
                } else {
                    appendVarint(l.time.bitPattern, to: &out)
                }
                appendLE(l.pitch, to: &out)
                out.append(l.speech)
            }
            appendLE(l.span, to: &out)
            before = l
        }
        return out
    }

    /// Inverse of `pack` (with probes 0) for the landmarks of `bytes` that follow `previous`;
    /// nil when the bytes are not whole landmarks or one needs a landmark before and has none.
    public static func unpack(_ bytes: [UInt8], after previous: AudioLandmark? = nil) -> [AudioLandmark]? {
        bytes.withUnsafeBufferPointer { b -> [AudioLandmark]? in
            var out = [AudioLandmark]()
            out.reserveCapacity(b.count / 5)
            var before = previous
            var at = 0
            while at < b.count {
                guard let length = packedLength(b, at: at), at + length <= b.count else { return nil }
                let head = UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16
                var l = AudioLandmark(hash: head & LandmarkHash.mask, time: 0, pitch: 0, span: 0, speech: 0, probes: 0)
                var i = at + 3
                if head & sameAnchorFlag != 0 {
                    guard let before else { return nil }
                    l.time = before.time
                    l.pitch = before.pitch
                    l.speech = before.speech
                } else {
                    let value = readVarint(b, &i)
                    if head & absoluteTimeFlag != 0 {
                        l.time = Float(bitPattern: value)
                    } else {
                        guard let before else { return nil }
                        let step = Int32(bitPattern: value >> 1) ^ -Int32(bitPattern: value & 1)
                        l.time = Float(bitPattern: before.time.bitPattern &+ UInt32(bitPattern: step))
                    }
                    l.pitch = readLE(b, i, as: UInt16.self)
                    l.speech = b[i + 2]
                    i += 3
                }
                l.span = readLE(b, i, as: UInt16.self)
                out.append(l)
                before = l
                at += length
            }
            return out
        }
    }

    /// How many of `bytes`, from the start, hold whole format-2 landmarks.
    public static func wholePackedLength(_ bytes: [UInt8]) -> Int { wholeItemsLength(bytes, itemLength: packedLength) }

    /// The length of the format-2 landmark at `at`; nil when its head or time is cut or not one
    /// `pack` writes (a flag it never sets, both flags, a varint past 32 bits).
    private static func packedLength(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> Int? {
        guard at + 3 <= b.count else { return nil }
        let flags = (UInt32(b[at + 2]) << 16) & flagMask
        if flags == sameAnchorFlag { return 5 }
        guard flags == 0 || flags == absoluteTimeFlag else { return nil }
        var i = at + 3
        while true {
            guard i < b.count, i - at - 3 < 5 else { return nil }
            let byte = b[i]
            i += 1
            if byte < 0x80 {
                // The fifth byte holds the top 4 bits only.
                guard i - at - 3 < 5 || byte < 0x10 else { return nil }
                break
            }
        }
        return i - at + 5
    }

    /// Landmarks of format-1 records (`recordSize` bytes each); nil when the byte count is not
    /// a whole number of records.
    public static func unpackRecords(_ bytes: [UInt8]) -> [AudioLandmark]? {
        guard bytes.count % recordSize == 0 else { return nil }
        var out = [AudioLandmark]()
        out.reserveCapacity(bytes.count / recordSize)
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                let hash = readLE(b, i, as: UInt32.self)
                let time = Float(bitPattern: readLE(b, i + 4, as: UInt32.self))
                let pitch = readLE(b, i + 8, as: UInt16.self)
                let span = readLE(b, i + 10, as: UInt16.self)
                out.append(AudioLandmark(hash: hash, time: time, pitch: pitch, span: span,
                                         speech: b[i + 12], probes: b[i + 13]))
                i += recordSize
            }
        }
        return out
    }

    /// The landmark as the store gives it back (`pack` then `unpack`): probes 0.
    public var asStored: AudioLandmark {
        var l = self
        l.probes = 0
        return l
    }
}

extension AudioLandmark: FixedSizeRecords {}

// Format 3, the anchors tier only (2026-12-07): the landmarks the candidate index keeps of a
// reference (`Anchors.landmarks`: on speech, a fixed eighth of the hash space) are read for their
// hash and their time in tenths of a second (`Matching.LandmarkSketch`), nothing else. So each is
//   - 3 bytes, little-endian: the hash (21 bits) and bit 22 "absolute time" (bits 21 and 23 are
//     never set);
//   - its time step: a LEB128 varint of the zigzagged difference of its tenth of a second
//     (`UInt32(time / sketchUnit)`) from the landmark before's (with "absolute", of the tenth itself).
// Read back, a landmark's time is the middle of its tenth, its speech 255 (it was kept as speech),
// its pitch, span and probes 0: the candidate index built from them is the one built from the
// landmarks themselves, bit for bit (for references up to 233 hours: `sketchTime`). A landmark whose time is not plausible (never in the index)
// is not written. About 4 bytes a landmark, against 10 in format 2 (few of these share an anchor).

extension AudioLandmark {
    /// The step of a sketched landmark's time, the candidate index's timeline unit
    /// (`Matching.LandmarkSketch` counts time in it), and its inverse.
    public static let sketchUnit: Float = 0.1
    static let sketchStepsPerSecond = 10.0
    /// About the bytes a landmark takes in format 3, to reserve memory from a blob's length.
    public static let typicalSketchSize = 4

    /// The landmark's tenth of a second, as the candidate index counts it.
    @inline(__always)
    public static func sketchStep(_ time: Float) -> UInt32 { UInt32(time / sketchUnit) }

    /// The middle of tenth `step`: `sketchStep` gives `step` back for every step below 2^23
    /// (233 hours; a test checks them all); past that a Float's spacing nears a tenth.
    @inline(__always)
    static func sketchTime(_ step: UInt32) -> Float { Float((Double(step) + 0.5) / sketchStepsPerSecond) }

    /// Packs landmarks in format 3 (hash and tenth of a second only).
    public static func packSketch(_ landmarks: [AudioLandmark]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(landmarks.count * 4)
        var before: UInt32?
        for l in landmarks where MediaFingerprint.isPlausible(l.time) {
            precondition(l.hash & ~LandmarkHash.mask == 0, "AudioLandmark.packSketch: hash \(l.hash) is wider than LandmarkHash.bits")
            let step = sketchStep(l.time)
            let head = l.hash | (before == nil ? absoluteTimeFlag : 0)
            out.append(UInt8(truncatingIfNeeded: head))
            out.append(UInt8(truncatingIfNeeded: head >> 8))
            out.append(UInt8(truncatingIfNeeded: head >> 16))
            appendVarint(before.map { zigzag(Int32(bitPattern: step &- $0)) } ?? step, to: &out)
            before = step
        }
        return out
    }

    /// Inverse of `packSketch` for the landmarks of `bytes` that follow `previous`; nil when the
    /// bytes are not whole landmarks or one needs a landmark before and has none.
    public static func unpackSketch(_ bytes: [UInt8], after previous: AudioLandmark? = nil) -> [AudioLandmark]? {
        bytes.withUnsafeBufferPointer { b -> [AudioLandmark]? in
            var out = [AudioLandmark]()
            out.reserveCapacity(b.count / 4)
            var before = previous.map { sketchStep($0.time) }
            var at = 0
            while at < b.count {
                guard let length = sketchLength(b, at: at), at + length <= b.count else { return nil }
                let head = UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16
                var i = at + 3
                let value = readVarint(b, &i)
                let step: UInt32
                if head & absoluteTimeFlag != 0 {
                    step = value
                } else {
                    guard let before else { return nil }
                    step = before &+ UInt32(bitPattern: unzigzag(value))
                }
                out.append(AudioLandmark(hash: head & LandmarkHash.mask, time: sketchTime(step),
                                         pitch: 0, span: 0, speech: 255, probes: 0))
                before = step
                at += length
            }
            return out
        }
    }

    /// How many of `bytes`, from the start, hold whole format-3 landmarks.
    public static func wholeSketchLength(_ bytes: [UInt8]) -> Int { wholeItemsLength(bytes, itemLength: sketchLength) }

    public static func unpackLater(_ bytes: [UInt8], format: Int, after previous: AudioLandmark?) -> [AudioLandmark]? {
        format == 3 ? unpackSketch(bytes, after: previous) : nil
    }

    public static func wholeLaterLength(_ bytes: [UInt8], format: Int) -> Int { format == 3 ? wholeSketchLength(bytes) : 0 }

    private static func sketchLength(_ b: UnsafeBufferPointer<UInt8>, at: Int) -> Int? {
        guard at + 3 <= b.count else { return nil }
        let flags = (UInt32(b[at + 2]) << 16) & flagMask
        guard flags == 0 || flags == absoluteTimeFlag, let varint = varintLength(b, at: at + 3, bits: 32) else { return nil }
        return 3 + varint
    }
}
