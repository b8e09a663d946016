#!/usr/bin/env bash
# Benchmark: record a large run, then time the reads `trace list` and `trace show` make on it.
# Usage: scripts/bench-store.sh [requests]   (default 200000, about 1.2 million spans)
# Then times stats, diff, export, import and prune over the whole file (with peak memory).
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-200000}
swift build -c release --product trace >&2
trace=$PWD/.build/release/trace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

echo "== recording $requests requests (concurrency 16)"
start=$(date +%s%N)
"$trace" run --requests "$requests" --concurrency 16 --db bench.db 2>/dev/null | sed -n '1,5p'
echo "recorded in $(( ($(date +%s%N) - start) / 1000000 )) ms; file $(du -h bench.db | cut -f1)"
sqlite3 bench.db "SELECT 'traces ' || count(*) || ', spans ' || sum(span_count) FROM trace;"

# Median wall time of 7 runs of a command, in milliseconds (includes process start).
median() {
  local times=()
  for _ in 1 2 3 4 5 6 7; do
    local t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    times+=($(( ($(date +%s%N) - t0) / 1000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 4p | awk '{printf "%.1f ms", $1 / 1000}'
}

slowest=$("$trace" list --db bench.db --sort duration --limit 1 --json | sed -n 's/.*"traceId" : "\([0-9a-f]*\)".*/\1/p')
echo "== reads (median of 7, process start included)"
echo "trace --version                          $(median "$trace" --version)"
echo "trace list                               $(median "$trace" list --db bench.db)"
echo "trace list --sort duration               $(median "$trace" list --db bench.db --sort duration)"
echo "trace list --service backend --errors    $(median "$trace" list --db bench.db --service backend --errors)"
echo "trace list --min-duration 5ms            $(median "$trace" list --db bench.db --min-duration 5ms)"
echo "trace show <slowest> (full id)           $(median "$trace" show "$slowest" --db bench.db)"
echo "trace show <8-digit prefix> --verbose    $(median "$trace" show "${slowest:0:8}" --db bench.db --verbose)"
echo "trace list --name http.connect           $(median "$trace" list --db bench.db --name http.connect)"
echo "trace list --attribute network.peer.port=<one port> (selective)   $(median "$trace" list --db bench.db --attribute "network.peer.port=$(sqlite3 bench.db "SELECT value FROM span_attribute WHERE key = 'network.peer.port' LIMIT 1")")"
echo "trace list --attribute http.request.method=GET (every trace)      $(median "$trace" list --db bench.db --attribute http.request.method=GET)"
echo "trace list --attribute no.such.key=1                             $(median "$trace" list --db bench.db --attribute no.such.key=1)"

echo "== TraceQL queries (median of 7, process start included)"
# How many traces a query matches, and their share of all traces.
share() {
  local matched total
  matched=$("$trace" list --db bench.db --limit 100000000 --json "$1" | grep -c '"traceId"' || true)
  total=$(sqlite3 bench.db "SELECT count(*) FROM traces")
  awk -v m="$matched" -v t="$total" 'BEGIN { printf "%d traces, %.3f%% of %d", m, 100 * m / t, t }'
}
q() { printf '%-62s %s\n' "$1" "$(median "$trace" list --db bench.db "$1")"; }
q '{ span.http.connection.reused = false }'
echo "   (selective: $(share '{ span.http.connection.reused = false }'))"
q '{ name = "http.connect" }'
q '{ resource.service.name = "backend" && duration > 5ms }'
q '{ span.http.request.method = "GET" }'
echo "   (unselective: $(share '{ span.http.request.method = "GET" }'))"
q '{ kind = client } >> { name = "GET /" }'
q '{ } | count() > 6'
q '{ span.http.response.status_code >= 500 }'

# Whole-database work: one run each, wall time and peak memory (process included).
once() {
  local label=$1; shift
  /usr/bin/time -f "%e s, peak %M KB" -o "$work/time.txt" "$@" >/dev/null 2>"$work/err.txt" || { cat "$work/err.txt" >&2; return 1; }
  printf '%-40s %s\n' "$label" "$(cat "$work/time.txt")"
}
echo "== whole-database commands (one run each)"
once "trace stats"                              "$trace" stats --db bench.db
once "trace stats --by service --json"          "$trace" stats --db bench.db --by service --json
once "trace stats --query '{ } | by(name)'"    "$trace" stats --db bench.db --query '{ } | by(name)'
once "trace map"                                "$trace" map --db bench.db
once "trace flame --folded"                     "$trace" flame --folded --db bench.db
once "trace diff --against median <slowest>"    "$trace" diff --against median "$slowest" --db bench.db
once "trace export --output (all traces)"       "$trace" export --db bench.db --output "$work/all.jsonl"
echo "   $(wc -l < "$work/all.jsonl") lines, $(du -h "$work/all.jsonl" | cut -f1)"
once "trace import (into a new file)"           "$trace" import "$work/all.jsonl" --db "$work/copy.db"
once "trace prune --keep 1000"                  "$trace" prune --keep 1000 --db "$work/copy.db"
echo "   copy after prune: $(du -h "$work/copy.db" | cut -f1)"
