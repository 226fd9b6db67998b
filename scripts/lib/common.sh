# Sourced (not run) by the scripts in scripts/bench, scripts/check and scripts/experiments:
#   source "$(dirname "$0")/../lib/common.sh"
# Goes to the repository, installs what is missing (scripts/setup: apt packages, Swift on PATH),
# builds the release binary once and exports its path as $VMATCH. A prebuilt binary can be used
# instead: VMATCH_BIN=/path/to/vmatch. `vmatch_bench` builds and locates the Benchmarks
# package's timing tool the same way ($VMATCH_BENCH).
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
source scripts/setup
if [ -n "${VMATCH_BIN:-}" ]; then
  VMATCH=$VMATCH_BIN
else
  swift build -c release --product vmatch >&2
  VMATCH=$repo/.build/release/vmatch
fi
export VMATCH

vmatch_bench() {
  if [ -z "${VMATCH_BENCH:-}" ]; then
    (cd "$repo/Benchmarks" && swift build -c release --product vmatch-bench >&2)
    VMATCH_BENCH=$repo/Benchmarks/.build/release/vmatch-bench
  fi
  export VMATCH_BENCH
}

# make_clip OUT SECONDS [SIZE] [RATE] [EXTRA ffmpeg output options...]: a moving test pattern
# (testsrc2) with pink noise as sound, H.264 + AAC; deterministic.
make_clip() {
  local out=$1 seconds=$2 size=${3:-1280x720} rate=${4:-30}
  shift $(( $# < 4 ? $# : 4 ))
  ffmpeg -v error -y -f lavfi -i "testsrc2=size=$size:rate=$rate:duration=$seconds" \
    -f lavfi -i "anoisesrc=color=pink:seed=1:duration=$seconds" \
    -c:v libx264 -preset veryfast -c:a aac -shortest "$@" "$out"
}
