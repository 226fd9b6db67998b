// PDQHasher: PDQ-compatible 256-bit frame hashes (Meta ThreatExchange `pdq/cpp/hashing`,
// pdqHash256FromFloatLuma / pdqDihedralHash256esFromFloatLuma).
// Input shape: packed 8-bit RGB (width x height x 3) or 8-bit luma (width x height), optionally a
// rectangle of it; or an already downsampled 64x64 Float luma image.
//
// Pipeline per image: luma → tent downsample to 64x64 → quality → 16x16 DCT → median threshold.
// A hasher owns all scratch (allocated in init, the full-size planes grown only when a larger
// image arrives), so hashing a frame allocates nothing. That makes it a mutable, non-Sendable
// object: use one per thread or task.
import Fingerprint

public final class PDQHasher {
    /// The reference's minimum side: smaller images hash to zero with quality 0.
    public static let minimumSide = 5

    private let transform = PDQTransform()
    private let downsampler: TentDownsampler
    /// The image's Float luma, full size (also the downsampler's scratch).
    private var plane: UnsafeMutablePointer<Float>
    private var planeCapacity: Int
    /// 64x64 image as 256 vectors; also read as 4096 Floats.
    private let image64: UnsafeMutablePointer<SIMD16<Float>>
    private let product16x64: UnsafeMutablePointer<SIMD16<Float>>
    /// 16x16 coefficients as 16 vectors; also read as 256 Floats.
    private let coefficients: UnsafeMutablePointer<SIMD16<Float>>
    private let variant: UnsafeMutablePointer<Float>
    private let selectWork: UnsafeMutablePointer<Float>

    /// `expectedPixels` sizes the full-resolution scratch up front (e.g. 256 * 256 for the
    /// pipeline's analysis frames); larger images still work, they grow it once.
    public init(expectedPixels: Int = 256 * 256) {
        planeCapacity = max(expectedPixels, 64 * 64)
        plane = .allocate(capacity: planeCapacity)
        downsampler = TentDownsampler(expectedPixels: planeCapacity)
        image64 = .allocate(capacity: 256)
        image64.initialize(repeating: .zero, count: 256)
        product16x64 = .allocate(capacity: 64)
        product16x64.initialize(repeating: .zero, count: 64)
        coefficients = .allocate(capacity: 16)
        coefficients.initialize(repeating: .zero, count: 16)
        variant = .allocate(capacity: 256)
        variant.initialize(repeating: 0, count: 256)
        selectWork = .allocate(capacity: 256)
        selectWork.initialize(repeating: 0, count: 256)
    }

    deinit {
        plane.deallocate()
        image64.deallocate()
        product16x64.deallocate()
        coefficients.deallocate()
        variant.deallocate()
        selectWork.deallocate()
    }

    // MARK: - Public entry points

    /// Hash of a packed RGB24 image (3 bytes per pixel, no row padding).
    public func hash(rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> PDQResult {
        guard prepareRGB(rgb, width: width, height: height) else { return PDQResult(hash: .zero, quality: 0) }
        return finish(.original)
    }

    public func hash(rgb: [UInt8], width: Int, height: Int) -> PDQResult {
        rgb.withUnsafeBufferPointer { hash(rgb: $0, width: width, height: height) }
    }

    /// Hash of a packed 8-bit luma image, or of the rectangle `area` of it (tent-downsampled on
    /// its own to 64x64, as if it had been cropped first).
    /// `mirrored` hashes the left-right mirror image of the area: exactly what hashing a flipped
    /// copy gives, unlike the DCT-derived `.flipHorizontal` variant, which differs from it by
    /// ~25 bits at common sizes because the reference's downsample grid is not symmetric.
    public func hash(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, area: PixelRect? = nil,
                     mirrored: Bool = false) -> PDQResult {
        guard prepareLuma(luma, width: width, height: height, area: area, mirrored: mirrored) else { return PDQResult(hash: .zero, quality: 0) }
        return finish(.original)
    }

    public func hash(luma: [UInt8], width: Int, height: Int, area: PixelRect? = nil, mirrored: Bool = false) -> PDQResult {
        luma.withUnsafeBufferPointer { hash(luma: $0, width: width, height: height, area: area, mirrored: mirrored) }
    }

    /// Hash of an image already reduced to 64x64 (4096 Floats, row-major, luma 0...255 scale):
    /// skips the downsample, as the reference does for 64x64 input.
    public func hash(downsampled64: UnsafeBufferPointer<Float>) -> PDQResult {
        load64(downsampled64)
        return finish(.original)
    }

    public func hash(downsampled64: [Float]) -> PDQResult {
        downsampled64.withUnsafeBufferPointer { hash(downsampled64: $0) }
    }

    /// The hashes of the image, of its mirror images and of its rotations, from one DCT, in
    /// `PDQDihedral` order. Close to (not always equal to) hashing the transformed image.
    public func dihedralHashes(rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> PDQDihedralResult {
        guard prepareRGB(rgb, width: width, height: height) else { return Self.emptyDihedral }
        return finishDihedral()
    }

    public func dihedralHashes(rgb: [UInt8], width: Int, height: Int) -> PDQDihedralResult {
        rgb.withUnsafeBufferPointer { dihedralHashes(rgb: $0, width: width, height: height) }
    }

    public func dihedralHashes(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                               area: PixelRect? = nil) -> PDQDihedralResult {
        guard prepareLuma(luma, width: width, height: height, area: area, mirrored: false) else { return Self.emptyDihedral }
        return finishDihedral()
    }

    public func dihedralHashes(luma: [UInt8], width: Int, height: Int, area: PixelRect? = nil) -> PDQDihedralResult {
        luma.withUnsafeBufferPointer { dihedralHashes(luma: $0, width: width, height: height, area: area) }
    }

    public func dihedralHashes(downsampled64: UnsafeBufferPointer<Float>) -> PDQDihedralResult {
        load64(downsampled64)
        return finishDihedral()
    }

    /// The hash and the hash of the left-right mirror image (the one mirror edit common in
    /// re-uploads), each from its own downsample so the mirror hash is exact (see `mirrored`).
    public func hashWithMirror(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int,
                               area: PixelRect? = nil) -> (hash: PDQResult, mirrored: PDQHash) {
        let plain = hash(luma: luma, width: width, height: height, area: area)
        let flipped = hash(luma: luma, width: width, height: height, area: area, mirrored: true)
        return (plain, flipped.hash)
    }

    /// The tent-downsampled 64x64 luma of an image rectangle (4096 Floats, row-major): for
    /// callers that want to inspect or cache what gets hashed.
    public func downsample(luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, area: PixelRect? = nil) -> [Float]? {
        guard prepareLuma(luma, width: width, height: height, area: area, mirrored: false) else { return nil }
        return image64.withMemoryRebound(to: Float.self, capacity: 4096) { Array(UnsafeBufferPointer(start: $0, count: 4096)) }
    }

    // MARK: - Steps

    private static let emptyDihedral = PDQDihedralResult(hashes: Array(repeating: .zero, count: 8), quality: 0)

    /// Leaves the 64x64 image in `image64`; false when the image is too small to hash.
    private func prepareRGB(_ rgb: UnsafeBufferPointer<UInt8>, width: Int, height: Int) -> Bool {
        precondition(width >= 0 && height >= 0 && rgb.count >= width * height * 3,
                     "PDQHasher: RGB buffer of \(rgb.count) bytes is smaller than \(width)x\(height)x3")
        guard width >= Self.minimumSide, height >= Self.minimumSide else { return false }
        reserve(pixels: width * height)
        let src = rgb.baseAddress!
        // The reference binding forms luma in double precision and rounds it to float once.
        for i in 0..<(width * height) {
            let r = Double(src[3 * i]), g = Double(src[3 * i + 1]), b = Double(src[3 * i + 2])
            plane[i] = Float(r * 0.299 + g * 0.587 + b * 0.114)
        }
        reduce(rows: height, cols: width)
        return true
    }

    private func prepareLuma(_ luma: UnsafeBufferPointer<UInt8>, width: Int, height: Int, area: PixelRect?,
                             mirrored: Bool) -> Bool {
        precondition(width >= 0 && height >= 0 && luma.count >= width * height,
                     "PDQHasher: luma buffer of \(luma.count) bytes is smaller than \(width)x\(height)")
        let rect = area ?? .full(width: width, height: height)
        precondition(rect.width <= 0 || rect.height <= 0 || rect.isInside(width: width, height: height),
                     "PDQHasher: area \(rect) is not inside the \(width)x\(height) frame")
        guard rect.width >= Self.minimumSide, rect.height >= Self.minimumSide else { return false }
        let src = luma.baseAddress!
        // Sides up to 256 (the pipeline's analysis frames): the same samples without the
        // full-size Float plane and its passes.
        if TentDownsampler.isExact(rows: rect.height, cols: rect.width) {
            image64.withMemoryRebound(to: Float.self, capacity: 4096) { out in
                downsampler.downsampleExactly(src, stride: width, rect: rect, mirrored: mirrored, into: out)
            }
            return true
        }
        reserve(pixels: rect.area)
        for r in 0..<rect.height {
            let row = src + (rect.y + r) * width + rect.x
            let out = plane + r * rect.width
            if mirrored {
                let last = rect.width - 1
                for c in 0..<rect.width { out[c] = Float(row[last - c]) }
            } else {
                for c in 0..<rect.width { out[c] = Float(row[c]) }
            }
        }
        reduce(rows: rect.height, cols: rect.width)
        return true
    }

    private func reduce(rows: Int, cols: Int) {
        image64.withMemoryRebound(to: Float.self, capacity: 4096) { out in
            if rows == 64 && cols == 64 {
                out.update(from: plane, count: 4096)
            } else {
                downsampler.downsample(plane, rows: rows, cols: cols, into: out)
            }
        }
    }

    private func load64(_ image: UnsafeBufferPointer<Float>) {
        precondition(image.count >= 4096, "PDQHasher: a 64x64 image needs 4096 floats, got \(image.count)")
        image64.withMemoryRebound(to: Float.self, capacity: 4096) { $0.update(from: image.baseAddress!, count: 4096) }
    }

    private func reserve(pixels: Int) {
        if pixels > planeCapacity {
            plane.deallocate()
            planeCapacity = pixels
            plane = .allocate(capacity: pixels)
        }
    }

    /// Quality and DCT of `image64`, then the requested variant's bits.
    private func finish(_ which: PDQDihedral) -> PDQResult {
        let quality = transformImage()
        return PDQResult(hash: thresholdVariant(which), quality: quality)
    }

    private func finishDihedral() -> PDQDihedralResult {
        let quality = transformImage()
        return PDQDihedralResult(hashes: PDQDihedral.allCases.map { thresholdVariant($0) }, quality: quality)
    }

    private func transformImage() -> Int {
        let quality = image64.withMemoryRebound(to: Float.self, capacity: 4096) { PDQTransform.quality($0) }
        transform.dct(image64, scratch: product16x64, into: coefficients)
        return quality
    }

    private func thresholdVariant(_ which: PDQDihedral) -> PDQHash {
        coefficients.withMemoryRebound(to: Float.self, capacity: 256) { coeffs in
            if which == .original {
                return PDQTransform.threshold(coeffs, work: selectWork)
            }
            PDQTransform.dihedral(which, from: coeffs, into: variant)
            return PDQTransform.threshold(variant, work: selectWork)
        }
    }
}
