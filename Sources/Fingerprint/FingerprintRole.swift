// Which side of a comparison a fingerprint is made for. Every extractor has one recipe per role
// (`VideoFingerprint.FrameRecipe`, `AudioFingerprint`'s triplet geometry and peak density).

public enum FingerprintRole: Sendable, Hashable {
    /// Library videos: what is stored. One hash per sampled frame of the active picture area and
    /// a few crops of it; one landmark per triplet formed.
    case reference
    /// Clips to check: denser, so that edited copies still meet what a reference stored. The
    /// area's hash, its mirror image, windows and insets; every triplet a reference could have
    /// formed from the same sound at any speed in range, with neighbouring cells probed.
    case suspect
}
