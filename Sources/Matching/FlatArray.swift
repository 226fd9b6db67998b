// A read-only array of plain values (integers, hashes, descriptors) whose memory is either
// allocated here or a stretch of a file mapped into memory (the candidate index's file,
// `CandidateIndex+File`). The search structures (`HammingIndex`, `DescriptorIndex`,
// `LandmarkSketch`, `CandidateIndex`) hold their tables this way, so that a library's candidate
// index is used straight from its file, without reading or copying it: a 1000-hour library's
// is gigabytes, and `compare` reads only the buckets a suspect's look-ups touch.
import Glibc

/// The memory behind one or more `FlatArray`s, released when the last of them goes.
package final class FlatStorage: @unchecked Sendable {
    let base: UnsafeRawPointer
    let byteCount: Int
    private let mapped: Bool

    /// `byteCount` bytes of zeroes, allocated here.
    init(zeroedBytes byteCount: Int, alignment: Int) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: alignment)
        memory.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
        base = UnsafeRawPointer(memory)
        self.byteCount = byteCount
        mapped = false
    }

    /// The whole of an open file, mapped read-only (private: later writes to the file by others
    /// are not seen; `index` replaces the file by renaming a new one over it, never writes into it).
    init(mapping fd: Int32, byteCount: Int) throws(FlatStorageError) {
        guard byteCount > 0 else { throw FlatStorageError(reason: "empty file") }
        guard let memory = mmap(nil, byteCount, PROT_READ, MAP_PRIVATE, fd, 0), memory != MAP_FAILED else {
            throw FlatStorageError(reason: "cannot map it (\(String(cString: strerror(errno))))")
        }
        base = UnsafeRawPointer(memory)
        self.byteCount = byteCount
        mapped = true
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), byteCount)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}

package struct FlatStorageError: Error, Sendable {
    package var reason: String
}

package struct FlatArray<Element>: @unchecked Sendable, RandomAccessCollection {
    /// Keeps the memory alive; nil for an empty array.
    private let storage: FlatStorage?
    package let base: UnsafePointer<Element>?
    package let count: Int

    package var startIndex: Int { 0 }
    package var endIndex: Int { count }

    package init() {
        self.init(storage: nil, base: nil, count: 0)
    }

    private init(storage: FlatStorage?, base: UnsafePointer<Element>?, count: Int) {
        self.storage = storage
        self.base = base
        self.count = count
    }

    /// `count` elements, all zero bits, filled by `fill` (the only writer there ever is).
    package init(zeroed count: Int, _ fill: (UnsafeMutableBufferPointer<Element>) throws -> Void = { _ in }) rethrows {
        precondition(_isPOD(Element.self) && count >= 0, "FlatArray holds plain values")
        guard count > 0 else {
            self.init()
            return
        }
        let storage = FlatStorage(zeroedBytes: count * MemoryLayout<Element>.stride, alignment: Swift.max(MemoryLayout<Element>.alignment, 64))
        let typed = UnsafeMutableRawPointer(mutating: storage.base).bindMemory(to: Element.self, capacity: count)
        try fill(UnsafeMutableBufferPointer(start: typed, count: count))
        self.init(storage: storage, base: UnsafePointer(typed), count: count)
    }

    /// A copy of `array`.
    package init(_ array: [Element]) {
        self.init(zeroed: array.count) { out in _ = out.initialize(from: array) }
    }

    /// `count` elements at `byteOffset` of `storage` (aligned for `Element`, within it).
    package init(_ storage: FlatStorage, byteOffset: Int, count: Int) {
        precondition(_isPOD(Element.self) && count >= 0 && byteOffset >= 0
                     && byteOffset % MemoryLayout<Element>.alignment == 0
                     && byteOffset + count * MemoryLayout<Element>.stride <= storage.byteCount, "FlatArray: outside its storage")
        guard count > 0 else {
            self.init()
            return
        }
        self.init(storage: storage, base: (storage.base + byteOffset).assumingMemoryBound(to: Element.self), count: count)
    }

    @inline(__always)
    package subscript(i: Int) -> Element {
        precondition(i >= 0 && i < count, "FlatArray: index out of range")
        return base.unsafelyUnwrapped[i]
    }

    package var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(buffer)
    }

    /// The elements' bytes, as a file holds them.
    package var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(buffer) }
}

extension FlatArray: Equatable where Element: Equatable {
    package static func == (a: FlatArray, b: FlatArray) -> Bool { a.elementsEqual(b) }
}
