#!/usr/bin/env bash
# Benchmark of the path a span takes into the file (issue 8). Prints, from one run on this machine:
#  1. trace collect ingest of a seeded 1,000,000-span workload (2 senders), bytes a span, and the
#     ceiling: a C prepared-INSERT loop of the same rows into the same schema (ingest-benchmark);
#  2. trace run --requests N --concurrency 16 for N in 20,000 / 100,000 / 200,000: peak memory,
#     and the whole process against its load phase (the time after the last response);
#  3. trace run (builtin tracer, swift-otel, untraced) against the Go demo (../shared/peers/go-seed),
#     traced and untraced, alternating
#     RUNS times: median requests/s and the ratios.
# Usage: scripts/bench-ingest.sh [RUNS]   (default 3; needs /usr/bin/time; Go parts need go-seed)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
swift build -c release --product trace >&2
swift build -c release --product ingest-benchmark >&2
trace=$PWD/.build/release/trace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(uname -sr)"
echo "== 1. trace collect"
.build/release/ingest-benchmark

echo "== 2. trace run: memory and shutdown"
for requests in 20000 100000 200000; do
  rm -f "$work"/run.db*
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$trace" run --requests "$requests" --concurrency 16 --db "$work/run.db" > "$work/out" 2>/dev/null
  total_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  load=$(sed -n 's/^  wall time *\([^ ]*\) .*/\1/p' "$work/out")
  stored=$(sed -n 's/^  stored *\([0-9]*\) traces, \([0-9]*\) spans.*/\1 traces, \2 spans/p' "$work/out")
  bytes=$(stat -c %s "$work/run.db")
  spans=$(sqlite3 "$work/run.db" "SELECT spans FROM store_totals")
  awk -v n="$requests" -v rss="$(cat "$work/rss")" -v total="$total_ms" -v load="$load" -v stored="$stored" -v bytes="$bytes" -v spans="$spans" 'BEGIN {
    l = load; if (l ~ /ms$/) { sub(/ms$/, "", l); l = l / 1000 } else { sub(/s$/, "", l) }
    printf "requests %6d: peak RSS %4.0f MB, process %6.2f s, load phase %6.2f s (%.2fx), stored %s, %.0f bytes a span\n", n, rss / 1024, total / 1000, l, (total / 1000) / l, stored, bytes / spans }'
done

echo "== 3. trace run against the Go demo, alternating, $runs runs each (20,000 requests, concurrency 16)"
goseed=/tmp/goseed-bin/goseed
if [ ! -x "$goseed" ] && [ -x ../shared/peers/go-seed/build.sh ]; then ../shared/peers/go-seed/build.sh >/dev/null 2>&1 || true; fi
: > "$work/ours"; : > "$work/ours-untraced"; : > "$work/ours-otel"; : > "$work/go"; : > "$work/go-untraced"
for _ in $(seq "$runs"); do
  rm -f "$work"/cmp.db*
  "$trace" run --requests 20000 --concurrency 16 --db "$work/cmp.db" 2>/dev/null | sed -n 's/.* \([0-9.]*\) requests\/s/\1/p' >> "$work/ours"
  rm -f "$work"/cmp.db*
  "$trace" run --tracer swift-otel --requests 20000 --concurrency 16 --db "$work/cmp.db" 2>/dev/null | sed -n 's/.* \([0-9.]*\) requests\/s/\1/p' >> "$work/ours-otel"
  "$trace" run --untraced --requests 20000 --concurrency 16 2>/dev/null | sed -n 's/.* \([0-9.]*\) requests\/s/\1/p' >> "$work/ours-untraced"
  if [ -x "$goseed" ]; then
    "$goseed" -requests 20000 -concurrency 16 2>/dev/null | sed 's/.*req_per_s=\([0-9.]*\).*/\1/' >> "$work/go"
    "$goseed" -requests 20000 -concurrency 16 -untraced 2>/dev/null | sed 's/.*req_per_s=\([0-9.]*\).*/\1/' >> "$work/go-untraced"
  fi
done
median() { sort -n "$1" | awk '{v[NR]=$1} END {if (NR == 0) print 0; else print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
ours=$(median "$work/ours"); ours_u=$(median "$work/ours-untraced"); ours_o=$(median "$work/ours-otel"); go=$(median "$work/go"); go_u=$(median "$work/go-untraced")
awk -v o="$ours" -v ou="$ours_u" -v oo="$ours_o" -v g="$go" -v gu="$go_u" 'BEGIN {
  printf "median requests/s: trace run %.0f (untraced %.0f, traced/untraced %.2f; --tracer swift-otel %.0f)", o, ou, o / ou, oo
  if (g > 0) printf "; Go demo %.0f (untraced %.0f, traced/untraced %.2f); trace run / Go %.2f (swift-otel %.2f); untraced trace / untraced Go %.2f", g, gu, g / gu, o / g, oo / g, ou / gu
  printf "\n" }'
