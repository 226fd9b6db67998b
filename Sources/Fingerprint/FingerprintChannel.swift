// What one channel of a fingerprint is to the rest of the house: a name the store keeps it under,
// what it stands for (picture or sound), how its values are packed, and each value's time. The
// values themselves are a field of `MediaFingerprint`; `MediaFingerprint.channels` lists the
// channels once, and every operation on a whole fingerprint (packing, slicing by time, joining
// pieces) goes through that list, so that a new channel is its value type, its conformance here
// and one line there.

/// What a channel stands for in a verdict: reuse of the picture, or of the sound.
public enum Medium: Sendable, Hashable {
    case picture
    case sound
}

public protocol FingerprintChannel {
    associatedtype Item: Sendable
    /// The name the store keeps the channel's blobs under; never changes once released.
    static var name: String { get }
    static var medium: Medium { get }
    /// The channel's values within a fingerprint.
    static var items: WritableKeyPath<MediaFingerprint, [Item]> { get }
    static func time(of item: Item) -> Float
    /// Items packed as the store keeps them.
    static func pack(_ items: [Item]) -> [UInt8]
    /// Inverse of `pack`; nil when the bytes are not whole items.
    static func unpack(_ bytes: [UInt8]) -> [Item]?
    /// The items of `bytes` that follow `previous` in a blob read a piece at a time (a channel
    /// may write an item relative to the one before it).
    static func unpack(_ bytes: [UInt8], after previous: Item?) -> [Item]?
    /// How many of `bytes`, from the start, hold whole items (to read a blob a piece at a time).
    static func wholeItemsLength(_ bytes: [UInt8]) -> Int
    /// The number the store keeps with each blob of the channel (its `format` column): raised
    /// when what a stored blob says changes, so that `index` can tell the blobs written before.
    static var format: Int { get }
    /// The first format whose empty blob says the channel was made and found nothing (before
    /// it, an empty blob may mean the channel was not made: `index` makes it again).
    static var emptyMeansMadeFrom: Int { get }
    /// `unpack(_:after:)` for a blob the store keeps with `format`: a channel whose older blobs
    /// are written otherwise reads them here (nil for a format it does not know).
    static func unpack(_ bytes: [UInt8], format: Int, after previous: Item?) -> [Item]?
    /// `wholeItemsLength` for a blob the store keeps with `format`.
    static func wholeItemsLength(_ bytes: [UInt8], format: Int) -> Int
    /// The channel that held this one's values, in another form, before it existed: a video
    /// whose blob of that channel holds something does not need this one made (nil: none).
    static var formerChannel: String? { get }
    /// The format of the channel's anchors tier (what the candidate index reads): `format`,
    /// unless the index needs less of each value than the matcher does.
    static var anchorsFormat: Int { get }
    /// Items of the anchors tier packed in `anchorsFormat`.
    static func packAnchors(_ items: [Item]) -> [UInt8]
}

extension FingerprintChannel {
    public static var format: Int { 1 }
    public static var emptyMeansMadeFrom: Int { 1 }
    public static var formerChannel: String? { nil }
    public static var anchorsFormat: Int { format }
    public static func packAnchors(_ items: [Item]) -> [UInt8] { pack(items) }
    public static func unpack(_ bytes: [UInt8], after previous: Item?) -> [Item]? { unpack(bytes) }
    /// Every format read as the current one: what a channel whose formats only added to the
    /// one before does.
    public static func unpack(_ bytes: [UInt8], format: Int, after previous: Item?) -> [Item]? { unpack(bytes, after: previous) }
    public static func wholeItemsLength(_ bytes: [UInt8], format: Int) -> Int { wholeItemsLength(bytes) }
}

/// A channel's item stored first as records of their own (format 1) and since packed against the
/// item before (format 2): the sound landmarks, the motion samples and the picture hashes. Both
/// formats are read; pieces packed on their own join by concatenation (each pack starts from no
/// item before).
public protocol RecordsThenPacked {
    static func unpackRecords(_ bytes: [UInt8]) -> [Self]?
    /// How many of `bytes`, from the start, hold whole format-1 records.
    static func wholeRecordsLength(_ bytes: [UInt8]) -> Int
    static func pack(_ items: [Self]) -> [UInt8]
    static func unpack(_ bytes: [UInt8], after previous: Self?) -> [Self]?
    /// How many of `bytes`, from the start, hold whole format-2 items.
    static func wholePackedLength(_ bytes: [UInt8]) -> Int
    /// Items of a format past 2 that some tier of the channel keeps (nil: not one it knows).
    static func unpackLater(_ bytes: [UInt8], format: Int, after previous: Self?) -> [Self]?
    /// How many of `bytes`, from the start, hold whole items of that later `format`.
    static func wholeLaterLength(_ bytes: [UInt8], format: Int) -> Int
}

extension RecordsThenPacked {
    public static func unpackLater(_ bytes: [UInt8], format: Int, after previous: Self?) -> [Self]? { nil }
    public static func wholeLaterLength(_ bytes: [UInt8], format: Int) -> Int { 0 }
}

/// Format-1 records of one size: the sound landmarks' and the motion samples'.
public protocol FixedSizeRecords: RecordsThenPacked {
    /// Bytes of a format-1 record.
    static var recordSize: Int { get }
}

extension FixedSizeRecords {
    public static func wholeRecordsLength(_ bytes: [UInt8]) -> Int { bytes.count / recordSize * recordSize }
}

extension FingerprintChannel where Item: RecordsThenPacked {
    public static func pack(_ items: [Item]) -> [UInt8] { Item.pack(items) }
    public static func unpack(_ bytes: [UInt8]) -> [Item]? { Item.unpack(bytes, after: nil) }
    public static func unpack(_ bytes: [UInt8], after previous: Item?) -> [Item]? { Item.unpack(bytes, after: previous) }
    public static func wholeItemsLength(_ bytes: [UInt8]) -> Int { Item.wholePackedLength(bytes) }

    public static func unpack(_ bytes: [UInt8], format: Int, after previous: Item?) -> [Item]? {
        switch format {
        case 1: Item.unpackRecords(bytes)
        case 2: Item.unpack(bytes, after: previous)
        default: Item.unpackLater(bytes, format: format, after: previous)
        }
    }

    public static func wholeItemsLength(_ bytes: [UInt8], format: Int) -> Int {
        switch format {
        case 1: Item.wholeRecordsLength(bytes)
        case 2: Item.wholePackedLength(bytes)
        default: Item.wholeLaterLength(bytes, format: format)
        }
    }
}

/// The picture channel of PDQ hashes: one `FrameSignature` per sampled frame.
public enum PictureHashChannel: FingerprintChannel {
    public static var name: String { "picture-hashes" }
    /// 2 (issue 33): hashes written as the bits that differ from the frame before's
    /// (`FrameSignature+Packing.swift`). Blobs of format 1 are read as they are and kept by
    /// `index`, as every channel's older blobs are (`LibraryIndexer.holds`).
    public static var format: Int { 2 }
    public static var medium: Medium { .picture }
    public static var items: WritableKeyPath<MediaFingerprint, [FrameSignature]> { \.frames }
    public static func time(of item: FrameSignature) -> Float { item.time }
}

/// The sound channel of landmark triplets.
public enum SoundLandmarkChannel: FingerprintChannel {
    public static var name: String { "sound-landmarks" }
    /// 2 (issue 33): landmarks written relative to the one before, probes not kept
    /// (`AudioLandmark+Packing.swift`). Blobs of format 1, 14-byte records, are read as they are
    /// and kept by `index`, as every channel's older blobs are (`LibraryIndexer.holds`).
    public static var format: Int { 2 }
    public static var medium: Medium { .sound }
    public static var items: WritableKeyPath<MediaFingerprint, [AudioLandmark]> { \.landmarks }
    public static func time(of item: AudioLandmark) -> Float { item.time }

    /// 3: the anchors tier keeps each landmark's hash and tenth of a second only, all the
    /// candidate index reads (`AudioLandmark+Packing.swift`); blobs of formats 1 and 2 there are
    /// read as they are.
    public static var anchorsFormat: Int { 3 }
    public static func packAnchors(_ items: [AudioLandmark]) -> [UInt8] { AudioLandmark.packSketch(items) }
}
