#!/usr/bin/env bash
# Runs the libFuzzer targets of a fuzz build (docs/fuzzing.md).
#   run.sh smoke DIR [TARGET...]          every target over its seeds for FUZZ_RUNS runs (default 2000); CI
#   run.sh long DIR SECONDS [TARGET...]   each target in turn for SECONDS under nice, keeping what it finds
# DIR is the fuzz build directory (build-fuzz) or its tests/fuzz; TARGET names like mail_parse or
# inspect_zip (default: all). Fails when a target crashes, leaks, times out or exceeds its memory limit.
# Seeds are read from tests/fuzz/corpus/TARGET and never written to: new inputs go to DIR/fuzz-work/TARGET
# (long runs keep and reuse it), crash inputs to DIR/fuzz-artifacts/TARGET/, logs to DIR/fuzz-logs/.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${1:-}"
dir="${2:-}"
if [ -z "$dir" ] || { [ "$mode" != smoke ] && [ "$mode" != long ]; }; then
  sed -n '2,8p' "$0" >&2
  exit 2
fi
[ -d "$dir/tests/fuzz" ] && dir="$dir/tests/fuzz"
shift 2
seconds=0
if [ "$mode" = long ]; then
  seconds="${1:?run.sh long DIR SECONDS [TARGET...]}"
  shift
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for exe in "$dir"/fuzz_*; do [ -x "$exe" ] && targets+=("$(basename "$exe" | sed 's/^fuzz_//')"); done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "run.sh: no fuzz targets in $dir (cmake --build build-fuzz --target fuzz)" >&2
  exit 2
fi

# The dictionary that helps a target, if any (tests/fuzz/dict).
dict_of() {
  case "$1" in
    mail_parse | header_decode | address) echo mime ;;
    inspect_zip | inspect_ooxml | inspect_xlsx) echo zip ;;
    inspect_pdf) echo pdf ;;
    html_text) echo html ;;
    policy_compile) echo policy ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
mkdir -p "$dir/fuzz-logs"
failed=()
total=0
printf '%-16s %12s %9s  %s\n' target executions seconds result
for t in "${targets[@]}"; do
  exe="$dir/fuzz_$t"
  seeds="$here/corpus/$t"
  work="$dir/fuzz-work/$t"
  artifacts="$dir/fuzz-artifacts/$t"
  log="$dir/fuzz-logs/$t.$mode.log"
  [ "$mode" = smoke ] && rm -rf "$work"
  mkdir -p "$work" "$artifacts"
  args=(-artifact_prefix="$artifacts/" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
  d="$(dict_of "$t")"
  [ -n "$d" ] && args+=(-dict="$here/dict/$d.dict")
  start=$(date +%s)
  if [ "$mode" = smoke ]; then
    "$exe" "${args[@]}" -seed=1 -runs="${FUZZ_RUNS:-2000}" "$work" "$seeds" >"$log" 2>&1
  else
    nice -n 19 "$exe" "${args[@]}" -max_total_time="$seconds" "$work" "$seeds" >"$log" 2>&1
  fi
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  runs=${runs:-0}
  total=$((total + runs))
  result=ok
  if [ $rc -ne 0 ]; then
    result="FAILED (exit $rc, see $log; inputs in $artifacts)"
    failed+=("$t")
  fi
  printf '%-16s %12s %9s  %s\n' "$t" "$runs" "$(($(date +%s) - start))" "$result"
done
printf '%-16s %12s\n' total "$total"
if [ ${#failed[@]} -ne 0 ]; then
  echo "run.sh: failed: ${failed[*]}" >&2
  for t in "${failed[@]}"; do grep -m3 -E 'ERROR|runtime error|SUMMARY' "$dir/fuzz-logs/$t.$mode.log" >&2; done
  exit 1
fi
