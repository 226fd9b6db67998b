// Real-input FFT over FFTW single precision (r2c), one plan per instance.
// Input: `size` real samples written in place; output: size/2 + 1 complex bins.
// Pattern: chromaprint src/fft_lib_fftw3.cpp — plan once, execute many times, destroy in deinit.
import CFFTW
import Foundation

/// FFTW's planner (plan creation and destruction) shares global state and is not
/// thread-safe; executing an existing plan is. Every planner call goes through this lock.
private let fftwPlannerLock = NSLock()

/// Owns one `fftwf_plan` and its aligned buffers. Not `Sendable`: one owner at a time.
final class RealFFT {
    let size: Int
    private let plan: OpaquePointer
    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>

    init(size: Int) {
        precondition(size >= 2 && size.isMultiple(of: 2), "RealFFT size must be even and >= 2, got \(size)")
        self.size = size
        // fftwf_alloc_* gives SIMD-aligned memory so the plan can use vector code paths.
        guard let input = fftwf_alloc_real(size), let output = fftwf_alloc_complex(size / 2 + 1) else {
            fatalError("RealFFT: cannot allocate FFTW buffers of size \(size)")
        }
        self.input = input
        self.output = output
        let plan = fftwPlannerLock.withLock {
            fftwf_plan_dft_r2c_1d(Int32(size), input, output, FFTW_ESTIMATE)
        }
        guard let plan else { fatalError("RealFFT: fftwf_plan_dft_r2c_1d failed for size \(size)") }
        self.plan = plan
    }

    deinit {
        fftwPlannerLock.withLock { fftwf_destroy_plan(plan) }
        fftwf_free(input)
        fftwf_free(output)
    }

    /// Fills the input with `fill`, runs the transform, and hands the complex spectrum
    /// (interleaved re, im; size/2 + 1 pairs) to `read`. Pointers do not escape.
    func transform<R>(
        fill: (UnsafeMutableBufferPointer<Float>) -> Void,
        read: (UnsafeBufferPointer<Float>) -> R
    ) -> R {
        fill(UnsafeMutableBufferPointer(start: input, count: size))
        fftwf_execute(plan)
        let bins = size / 2 + 1
        // fftwf_complex is float[2]: the spectrum is layout-compatible with 2·bins Floats.
        return output.withMemoryRebound(to: Float.self, capacity: 2 * bins) {
            read(UnsafeBufferPointer(start: $0, count: 2 * bins))
        }
    }
}
