#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser of outside input (Fuzz/README.md lists the harnesses).
#   scripts/fuzz.sh [SECONDS] [HARNESS…]   SECONDS per harness (default 600); all harnesses unless named
# Builds Fuzz/ with libFuzzer and AddressSanitizer into .build-fuzz/ (never touching .build/), then
# runs each harness on its seed corpus Fuzz/corpus/<harness>/ (read only) plus the inputs it finds
# (.build-fuzz/corpus/<harness>/, kept between runs). A crash, a sanitizer report, a hang (10 s)
# or an input that allocates over 2 GB fails the run; the input is saved as
# .build-fuzz/artifacts/<harness>-crash-… — make it a regression test (see Fuzz/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d /opt/swift/usr/bin ] && export PATH=/opt/swift/usr/bin:$PATH
seconds=${1:-600}
shift || true
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  harnesses=(FuzzScript FuzzPipelineDefinition FuzzCSV FuzzPredictionRequest FuzzModelFile FuzzControlFiles)
fi

# Debug configuration: SwiftPM compiles it with -enable-testing, which the harnesses' @testable
# imports need, and it builds in about half the time of -c release.
build_started=$(date +%s)
swift build --package-path Fuzz --scratch-path .build-fuzz --sanitize=fuzzer --sanitize=address
bin=$(swift build --package-path Fuzz --scratch-path .build-fuzz --sanitize=fuzzer --sanitize=address --show-bin-path)
echo "fuzz build: $(( $(date +%s) - build_started )) s"

# Let libFuzzer (not Swift's backtracer) catch a crash, so it saves the input. Leak checking is
# off: the Swift runtime keeps its metadata caches for the life of the process by design.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
mkdir -p .build-fuzz/artifacts
failed=()
for harness in "${harnesses[@]}"; do
  found=.build-fuzz/corpus/$harness
  mkdir -p "$found"
  log=.build-fuzz/$harness.log
  status=0
  "$bin/$harness" "$found" "Fuzz/corpus/$harness" -max_total_time="$seconds" -seed="${RAPPI_FUZZ_SEED:-0}" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix=".build-fuzz/artifacts/$harness-" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  if [ "$status" -ne 0 ]; then
    echo "$harness: FAILED after ${runs:-?} executions — last lines of $log:" >&2
    tail -40 "$log" >&2
    failed+=("$harness")
  else
    echo "$harness: ${runs:-?} executions in ${seconds} s (${speed:-?}/s), corpus $(ls "$found" | wc -l) found + $(ls "Fuzz/corpus/$harness" | wc -l) seeds"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in .build-fuzz/artifacts/)" >&2
  exit 1
fi
