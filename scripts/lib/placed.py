"""Where vmatch's picture segments lie against the corpus truth (../shared/corpus truth.json).

score.py counts a pair's picture as found when the right reference is reported with picture,
wherever its segment lies. A picture segment is *placed* when its map, at the segment's middle, is
within 1.5 s (MatchSegment.sameMapTolerance) of a truth match's reference time for that reference.
Used by scripts/evaluate and scripts/picture-by-texture.
"""
import json
import os

TOLERANCE = 1.5


def read(lines_path, truth_queries):
    """(placed pairs, reported pairs, picture segments, segments elsewhere) of a compare --json file;
    pairs are (query file name, reference file name)."""
    placed, reported, segments, elsewhere = set(), set(), 0, 0
    for line in open(lines_path):
        r = json.loads(line)
        q = os.path.basename(r["suspect"])
        for m in r["matches"]:
            ref = os.path.basename(m["reference"])
            for s in m["segments"]:
                if s["modality"] == "audio":
                    continue
                segments += 1
                reported.add((q, ref))
                mid = (s["suspect_start"] + s["suspect_end"]) / 2
                rmid = (s["reference_start"] + s["reference_end"]) / 2
                if any(x["reference"] == ref and abs(x["ref_start"] + (mid - x["query_start"]) * x.get("speed", 1.0) - rmid) <= TOLERANCE
                       for x in truth_queries.get(q, {"matches": []})["matches"]):
                    placed.add((q, ref))
                else:
                    elsewhere += 1
    return placed, reported, segments, elsewhere
