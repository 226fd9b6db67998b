// The evidence report as one self-contained HTML file: inline CSS, pictures as data: URIs, no
// scripts and no network (a Content-Security-Policy says so to the browser). It is meant to be
// attached to a takedown request, so it states facts plainly and prints well.
import Findings
import Foundation
import Matching

extension EvidenceReport {
    package func html() -> String {
        var h = HTMLWriter()
        h.line("<!DOCTYPE html>")
        h.line("<html lang=\"en\"><head><meta charset=\"utf-8\">")
        h.line("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">")
        h.line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        h.line("<title>Reuse evidence report — \(Self.utc(generated).htmlEscaped)</title>")
        h.line("<style>\(Self.css)</style></head><body>")

        let reused = suspects.filter { $0.report.error == nil && !$0.report.matches.isEmpty }.count
        let failed = suspects.filter { $0.report.error != nil }.count
        h.line("<header><h1>Reuse evidence report</h1>")
        h.line("<p class=\"lead\">Clips checked against a creator’s own videos with vmatch. For each clip: what identifies the file, where it came from, which of the creator’s videos it reuses, where, and whether the picture, the sound or both were taken.</p>")
        h.line("<table class=\"facts\">")
        if let claimant { h.row("Claimed by", claimant) }
        if let contact { h.row("Contact", contact) }
        h.row("Generated", Self.utc(generated))
        h.row("Tool", "vmatch \(vmatchVersion)")
        h.row("Library", "\(libraryVideos) reference video\(libraryVideos == 1 ? "" : "s")" + (libraryPath.map { " in \($0)" } ?? ""))
        if let libraryIdentity { h.row("Library identity", libraryIdentity, mono: true) }
        if let commandLine { h.row("Command", commandLine, mono: true) }
        h.row("Clips", "\(suspects.count) checked, \(reused) with reuse, \(failed) could not be read")
        h.line("</table></header>")

        for (index, suspect) in suspects.enumerated() {
            suspect.html(into: &h, number: index + 1, vmatchVersion: vmatchVersion)
        }

        h.line("<footer><h2>How this was found</h2>")
        h.line("<p>vmatch keeps a fingerprint of each of the creator’s videos, made when the video was added to the library: a compact summary of what the picture looks like, four times a second, and of the pattern of the voice’s sound. The clip above was summarised the same way and compared with those fingerprints. A reuse is reported only when many moments of the clip, one after another, line up with one stretch of one of the creator’s videos at a steady offset and speed, never from a single frame or a single sound. Such a line-up does not happen by chance between different recordings, even of the same person, room or music.</p>")
        h.line("<p>The picture pairs are decoded from both files at the start, middle and end of each reused passage. The distance under each pair counts how many of the 256 bits of the two pictures’ PDQ hashes differ (the suspect picture is also measured mirrored and cropped, as re-uploads change it): 0 means identical, up to 31 counts as the same picture, unrelated pictures differ by about 128. “Frames matched” and “sound landmarks matched” count the moments of the clip that agreed with the line-up.</p>")
        h.line("<p>Each file is identified by the SHA-256 of its whole content; the same digest means the same file, bit for bit. Each of the creator’s videos was checked against the digest it had when it was added to the library; a video that changed since is marked, and no picture of it is shown. Times are minutes:seconds from the start of each file; dates are UTC (ISO 8601).</p></footer>")
        h.line("</body></html>")
        return h.text
    }

    /// `2025-01-31T12:00:00Z`.
    package static func utc(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    /// `mm:ss.s`, or `h:mm:ss.s` past an hour: pictures are shown at fractions of a second.
    static func preciseClock(_ seconds: Double) -> String {
        let tenths = Int((max(0, seconds) * 10).rounded())
        let h = tenths / 36000, m = (tenths % 36000) / 600, s = (tenths % 600) / 10, t = tenths % 10
        return h > 0 ? String(format: "%d:%02d:%02d.%d", h, m, s, t) : String(format: "%02d:%02d.%d", m, s, t)
    }

    static func words(_ modality: Modality) -> String { SuspectReport.words(modality) }

    static func byteCount(_ size: Int64) -> String {
        let digits = Array(String(size))
        var plain = ""
        for (i, d) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { plain += "," }
            plain.append(d)
        }
        if size >= 1 << 20 { return String(format: "%.1f MiB (%@ bytes)", Double(size) / 1048576, plain) }
        if size >= 1 << 10 { return String(format: "%.1f KiB (%@ bytes)", Double(size) / 1024, plain) }
        return "\(plain) bytes"
    }

    static let css = """
    body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff;max-width:1100px;margin:0 auto;padding:24px}
    h1{font-size:26px;margin:0 0 6px}h2{font-size:19px;margin:0 0 10px;word-break:break-all}h3{font-size:16px;margin:18px 0 6px;word-break:break-all}
    .lead{color:#444;margin:0 0 12px}
    table{border-collapse:collapse}
    .facts th{text-align:left;font-weight:600;color:#555;padding:2px 16px 2px 0;vertical-align:top;white-space:nowrap}
    .facts td{padding:2px 0;word-break:break-all}
    .mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:13px}
    section.suspect{border:1px solid #c9c9c9;border-radius:6px;padding:16px 18px;margin:22px 0;break-inside:avoid-page}
    .verdict{font-weight:600;margin:10px 0}
    .verdict.reuse{color:#8a1c1c}.verdict.none{color:#2d5a2d}.verdict.error{color:#7a5200}
    .segments th,.segments td{border-bottom:1px solid #e2e2e2;padding:4px 14px 4px 0;text-align:left;white-space:nowrap}
    .segments th{font-weight:600;color:#555}
    .timeline{margin:8px 0 2px}
    .bar{position:relative;height:22px;background:#ececec;border:1px solid #bdbdbd;border-radius:3px}
    .bar div{position:absolute;top:0;bottom:0;opacity:.9}
    .axis{display:flex;justify-content:space-between;font-size:12px;color:#666}
    .legend{font-size:12px;color:#555;margin:4px 0 0}
    .legend span{display:inline-block;width:11px;height:11px;vertical-align:-1px;margin:0 4px 0 12px;border-radius:2px}
    .m-both{background:#7b2d8e}.m-video{background:#2a5fa8}.m-audio{background:#d07a12}
    .pair{display:flex;gap:14px;flex-wrap:wrap;margin:10px 0 4px;break-inside:avoid}
    figure{margin:0;flex:0 0 auto}
    figure img{display:block;width:320px;height:auto;border:1px solid #999;background:#000}
    .framed{position:relative;width:fit-content}
    .framed svg{position:absolute;left:0;top:0;width:100%;height:100%;overflow:visible}
    .framed polygon{fill:none;stroke:#ff1f5a;stroke-width:2.5px;stroke-linejoin:round}
    .framed path.inliers{fill:none;stroke:#ffe600;stroke-width:4.5px;stroke-linecap:round}
    .framed path.inliers-under{fill:none;stroke:#000;stroke-width:7px;stroke-linecap:round}
    figcaption{font-size:12px;color:#444;margin-top:3px;max-width:320px;overflow-wrap:anywhere}
    .missing{width:320px;height:120px;display:flex;align-items:center;justify-content:center;border:1px dashed #aaa;color:#777;font-size:12px;text-align:center}
    .note{font-size:12px;color:#666}
    footer{margin-top:30px;border-top:1px solid #ccc;padding-top:10px;color:#444;font-size:13px}
    footer h2{font-size:15px}
    .warning{border:2px solid #b00020;background:#fdecee;color:#7a0015;padding:8px 12px;border-radius:4px;font-weight:600}
    .distance{font-size:12px;color:#333;align-self:center;max-width:180px}
    .match{margin-top:14px}
    .sound{margin:10px 0;break-inside:avoid}
    figure.spectrogram{margin:4px 0}
    figure.spectrogram img{width:100%;max-width:1000px;height:120px;image-rendering:pixelated;border:1px solid #999;background:#fff}
    @page{size:A4;margin:14mm 12mm}
    @media print{
    body{max-width:none;padding:0;font-size:10.5pt}
    header{break-after:avoid}
    section.suspect{break-inside:auto;break-before:page;border:none;padding:0;margin:0}
    section.suspect:first-of-type{break-before:auto}
    h2,h3,.verdict,.warning{break-after:avoid}
    .pair,.timeline,table.facts,.warning,.sound{break-inside:avoid}
    figure img{width:70mm}
    figcaption{max-width:70mm}
    .bar div{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    .legend span{-webkit-print-color-adjust:exact;print-color-adjust:exact}
    footer{break-before:page}
    }
    """
}

extension SuspectEvidence {
    func html(into h: inout HTMLWriter, number: Int, vmatchVersion: String) {
        let r = report
        let name = (r.suspect as NSString).lastPathComponent
        h.line("<section class=\"suspect\">")
        h.line("<h2>\(number). \(name.htmlEscaped)</h2>")
        h.line("<table class=\"facts\">")
        h.row("File", path ?? r.suspect)
        h.row("SHA-256", sha256 ?? "—", mono: true)
        h.row("Size", size.map(EvidenceReport.byteCount) ?? "—")
        if let modified { h.row("File modified", EvidenceReport.utc(modified)) }
        h.row("Duration", r.duration.map { "\(SuspectReport.clock($0)) (\(String(format: "%.3f", $0)) s)" } ?? "—")
        h.row("Checked", EvidenceReport.utc(checkedAt))
        h.row("Tool", "vmatch \(vmatchVersion)")
        for (label, value) in r.source?.lines ?? [] { h.row("Source " + label, value) }
        if let source = r.source { h.row("Source record", source.sidecar) }
        h.line("</table>")

        if let error = r.error {
            h.line("<p class=\"verdict error\">Could not be read: \(error.htmlEscaped)</p>")
            h.line("</section>")
            return
        }
        if r.matches.isEmpty {
            h.line("<p class=\"verdict none\">No reuse of the library’s videos found.</p>")
            h.line("</section>")
            return
        }
        let count = r.matches.count
        h.line("<p class=\"verdict reuse\">Reuses \(count) of the library’s videos.</p>")
        timeline(into: &h, length: max(r.duration ?? 0, r.matches.flatMap(\.segments).map(\.suspectEnd).max() ?? 0),
                 label: "Where in this clip the reuse is",
                 spans: r.matches.flatMap { m in m.segments.map { ($0.suspectStart, $0.suspectEnd, $0.modality, m.reference) } })

        for (m, match) in r.matches.enumerated() {
            let referenceName = (match.reference as NSString).lastPathComponent
            h.line("<div class=\"match\">")
            h.line("<h3>Reuses \(referenceName.htmlEscaped) — \(EvidenceReport.words(match.modality).htmlEscaped), confidence \(String(format: "%.2f", match.score))</h3>")
            if match.referenceVerified == false {
                h.line("<p class=\"warning\">Warning: \(match.reference.htmlEscaped) \((match.referenceProblem ?? "is not the file that was indexed").htmlEscaped). This match was made against the video as it was indexed; no picture of the file now at that path is shown. Run <code>vmatch index</code> on it again.</p>")
            }
            h.line("<table class=\"facts\">")
            h.row("Reference", match.reference)
            for other in match.sameContent ?? [] { h.row("Same file also at", other) }
            if let digest = match.sha256 { h.row("SHA-256 when indexed", digest, mono: true) }
            if let verified = match.referenceVerified {
                h.row("Checked now", verified ? "the file at this path still has this SHA-256" : "does not match: \(match.referenceProblem ?? "")")
            }
            if let duration = referenceDurations[match.reference] { h.row("Duration", "\(SuspectReport.clock(duration)) (\(String(format: "%.3f", duration)) s)") }
            h.line("</table>")
            if let duration = referenceDurations[match.reference] {
                timeline(into: &h, length: duration, label: "Where in \(referenceName) the reused passages are",
                         spans: match.segments.map { ($0.referenceStart, $0.referenceEnd, $0.modality, match.reference) })
            }
            h.line("<table class=\"segments\"><tr><th>In this clip</th><th>In the reference</th><th>Reused</th><th>Speed</th><th>Frames matched</th><th>Sound landmarks matched</th><th>Confidence</th></tr>")
            for s in match.segments {
                let cells = [
                    "\(SuspectReport.clock(s.suspectStart))–\(SuspectReport.clock(s.suspectEnd))",
                    "\(SuspectReport.clock(s.referenceStart))–\(SuspectReport.clock(s.referenceEnd))",
                    EvidenceReport.words(s.modality),
                    String(format: "×%.2f", s.speed),
                    s.matchedFrames.map(String.init) ?? "—",
                    s.matchedLandmarks.map(String.init) ?? "—",
                    String(format: "%.2f", s.score),
                ]
                h.line("<tr>" + cells.map { "<td>\($0.htmlEscaped)</td>" }.joined() + "</tr>")
            }
            h.line("</table>")
            for s in match.segments {
                guard let also = s.alsoMatches, !also.isEmpty else { continue }
                let places = also.map(\.clock).joined(separator: ", ")
                h.line("<p class=\"note\">\("The passage \(SuspectReport.clock(s.suspectStart))–\(SuspectReport.clock(s.suspectEnd)) of this clip also matches \(referenceName) at \(places) as well as where it is shown: \(referenceName) repeats it (a loop or a shot used twice), so that it was taken is certain, and which of the repeats was taken cannot be told.".htmlEscaped)</p>")
            }
            for s in match.segments {
                guard let agreement = s.motionAgreement else { continue }
                let text = s.motionEvidence == .appearance
                    ? "The picture of the passage \(SuspectReport.clock(s.suspectStart))–\(SuspectReport.clock(s.suspectEnd)) of this clip is shown reused by how it looks where its sound puts it: moment by moment, its light over a coarse grid follows \(referenceName)'s along the sound's map (agreement \(String(format: "%.2f", agreement))), better than at any other place in \(referenceName). It has no detail for its frames to match on and changes alike everywhere (a featureless picture moving steadily)."
                    : "The picture of the passage \(SuspectReport.clock(s.suspectStart))–\(SuspectReport.clock(s.suspectEnd)) of this clip is shown reused by how it changes: second by second, its brightening and darkening over a coarse grid follows \(referenceName)'s along this map (agreement \(String(format: "%.2f", agreement))), better than at any other place in \(referenceName). Its frames alone match about as well elsewhere, or too little: a still or featureless picture, or one degraded."
                h.line("<p class=\"note\">\(text.htmlEscaped)</p>")
            }
            for (i, s) in match.segments.enumerated() {
                if m < sounds.count, i < sounds[m].count, let sound = sounds[m][i] {
                    soundPair(sound, referenceName: referenceName, into: &h)
                }
                let pairs = m < pictures.count && i < pictures[m].count ? pictures[m][i] : []
                if pairs.isEmpty {
                    if s.modality == .audio {
                        h.line("<p class=\"note\">\(SuspectReport.clock(s.suspectStart))–\(SuspectReport.clock(s.suspectEnd)): sound only (\(s.matchedLandmarks ?? 0) sound landmarks matched); the pictures differ, so none are shown.</p>")
                    }
                    continue
                }
                h.line("<div class=\"passage\"><p class=\"note\">Passage \(SuspectReport.clock(s.suspectStart))–\(SuspectReport.clock(s.suspectEnd)) of this clip:</p>")
                if let picture = s.picture {
                    let place = picture.phrase.map { ": \($0)" } ?? ": the whole frame"
                    h.line("<p class=\"note\">\("Outlined in red: where \(referenceName)’s frame sits in this clip’s frame, fitted to \(picture.inliers) matched keypoints\(place), over the whole passage; a pair whose own two pictures give a fit shows that one instead, its agreeing keypoints as yellow dots".htmlEscaped).</p>")
                }
                for pair in pairs {
                    h.line("<div class=\"pair\">")
                    var caption = "This clip at \(EvidenceReport.preciseClock(pair.suspectTime))"
                    if let own = pair.geometry.map(SuspectReport.Picture.init) {
                        caption += ": this pair’s fit, \(own.inliers) keypoints" + (own.phrase.map { ", \($0)" } ?? ", the whole frame")
                    } else if s.picture != nil {
                        caption += ": the passage’s outline (no fit of this pair’s own)"
                    }
                    h.figure(jpeg: pair.suspectJPEG, caption: caption,
                             outline: pair.geometry.map { $0.corners.map { [$0.x, $0.y] } } ?? s.picture?.corners,
                             dots: pair.geometry == nil ? [] : pair.inlierPoints)
                    h.figure(jpeg: pair.referenceJPEG, caption: "\(referenceName) at \(EvidenceReport.preciseClock(pair.referenceTime))")
                    let distance = pair.distance.map { d in
                        "PDQ distance \(d) of 256" + (d <= 31 ? " (the same picture)"
                            : s.picture.map { $0.phrase != nil ? " (of the whole frames; the picture inside the outline is what matched)" : "" } ?? "")
                    } ?? "no distance: \(pair.note ?? "a picture is missing")"
                    h.line("<p class=\"distance\">\(distance.htmlEscaped)</p>")
                    h.line("</div>")
                    if let note = pair.note, pair.distance != nil { h.line("<p class=\"note\">\(note.htmlEscaped)</p>") }
                }
                h.line("</div>")
            }
            h.line("</div>")
        }
        h.line("</section>")
    }

    /// The two spectrograms of a passage, the clip's above the reference's, aligned.
    private func soundPair(_ sound: SoundPair, referenceName: String, into h: inout HTMLWriter) {
        let span = "\(EvidenceReport.preciseClock(sound.suspectStart))–\(EvidenceReport.preciseClock(sound.suspectEnd))"
        let referenceSpan = "\(EvidenceReport.preciseClock(sound.referenceStart))–\(EvidenceReport.preciseClock(sound.referenceEnd))"
        h.line("<div class=\"sound\"><p class=\"note\">Sound of this clip \(span.htmlEscaped) and of \(referenceName.htmlEscaped) \(referenceSpan.htmlEscaped), as the fingerprint analyses it (297–3406 Hz, high pitches at the top, loud is dark), lined up through the passage’s offset and speed\(sound.matchedLandmarks.map { "; \($0) sound landmarks of the passage matched" } ?? "")\(sound.markedLandmarks.map { "; the \($0) found again in both drawn stretches at the same place are marked red" } ?? ""):</p>")
        h.spectrogram(jpeg: sound.suspectJPEG, caption: "This clip, \(span)")
        h.spectrogram(jpeg: sound.referenceJPEG, caption: "\(referenceName), \(referenceSpan)")
        if let note = sound.note { h.line("<p class=\"note\">\(note.htmlEscaped)</p>") }
        h.line("</div>")
    }

    /// One bar `length` seconds long, a coloured span per segment.
    private func timeline(into h: inout HTMLWriter, length: Double, label: String,
                          spans: [(start: Double, end: Double, modality: Modality, reference: String)]) {
        guard length > 0 else { return }
        h.line("<div class=\"timeline\"><div class=\"bar\" role=\"img\" aria-label=\"\(label.htmlEscaped)\">")
        for span in spans {
            let left = max(0, min(100, span.start / length * 100))
            let width = max(0.4, min(100 - left, (span.end - span.start) / length * 100))
            let title = "\(SuspectReport.clock(span.start))–\(SuspectReport.clock(span.end)): \((span.reference as NSString).lastPathComponent), \(EvidenceReport.words(span.modality))"
            h.line(String(format: "<div class=\"m-%@\" style=\"left:%.2f%%;width:%.2f%%\" title=\"%@\"></div>",
                          span.modality.rawValue, left, width, title.htmlEscaped))
        }
        h.line("</div><div class=\"axis\"><span>\(label.htmlEscaped): 00:00</span><span>\(SuspectReport.clock(length))</span></div>")
        h.line("<div class=\"legend\">Reused:<span class=\"m-both\"></span>picture and sound<span class=\"m-video\"></span>picture<span class=\"m-audio\"></span>sound</div></div>")
    }
}

/// Accumulates the page; `row` and `figure` escape what they are given.
struct HTMLWriter {
    var text = ""

    mutating func line(_ s: String) { text += s; text += "\n" }

    mutating func row(_ name: String, _ value: String, mono: Bool = false) {
        line("<tr><th>\(name.htmlEscaped)</th><td\(mono ? " class=\"mono\"" : "")>\(value.htmlEscaped)</td></tr>")
    }

    /// A spectrogram of the sound (class `spectrogram`), as `figure` shows a picture.
    mutating func spectrogram(jpeg: [UInt8]?, caption: String) {
        figure(jpeg: jpeg, caption: caption, kind: "spectrogram")
    }

    /// A picture with its caption; `kind` names it in its class, its alt text and where it is
    /// missing ("picture not available").
    /// `outline`: a polygon drawn over the picture, corners as [x, y] fractions of its width and
    /// height (an inline SVG: no script, nothing fetched); `dots`: points, as fractions too,
    /// drawn over it as small round dots (zero-length strokes with round caps, so that they stay
    /// round however the picture is stretched).
    mutating func figure(jpeg: [UInt8]?, caption: String, kind: String? = nil, outline: [[Double]]? = nil,
                         dots: [SIMD2<Double>] = []) {
        let open = kind.map { "<figure class=\"\($0)\">" } ?? "<figure>"
        if let jpeg, !jpeg.isEmpty {
            let uri = "data:image/jpeg;base64," + Data(jpeg).base64EncodedString()
            let alt = (kind.map { $0.prefix(1).uppercased() + $0.dropFirst() + ": " } ?? "") + caption
            let image = "<img src=\"\(uri)\" alt=\"\(alt.htmlEscaped)\">"
            if let outline, outline.count >= 3, outline.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isFinite) }) {
                let points = outline.map { String(format: "%.4f,%.4f", $0[0], $0[1]) }.joined(separator: " ")
                let shown = dots.filter { $0.x.isFinite && $0.y.isFinite }
                // Each dot twice: dark under bright, so that it shows on any picture.
                let d = shown.map { String(format: "M%.4f,%.4fh0", $0.x, $0.y) }.joined()
                let marks = shown.isEmpty ? ""
                    : "<path class=\"inliers-under\" d=\"\(d)\" vector-effect=\"non-scaling-stroke\"/>"
                        + "<path class=\"inliers\" d=\"\(d)\" vector-effect=\"non-scaling-stroke\"/>"
                line("\(open)<div class=\"framed\">\(image)<svg viewBox=\"0 0 1 1\" preserveAspectRatio=\"none\" aria-hidden=\"true\">"
                     + "<polygon points=\"\(points)\" vector-effect=\"non-scaling-stroke\"/>\(marks)</svg></div><figcaption>\(caption.htmlEscaped)</figcaption></figure>")
                return
            }
            line("\(open)\(image)<figcaption>\(caption.htmlEscaped)</figcaption></figure>")
        } else {
            line("\(open)<div class=\"missing\">\(kind ?? "picture") not available</div><figcaption>\(caption.htmlEscaped)</figcaption></figure>")
        }
    }
}
