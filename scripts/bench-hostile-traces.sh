#!/usr/bin/env bash
# Benchmark: the commands on traces no SDK makes but a sender can store, at two sizes each, so
# growth with size shows (linear: 20x the spans, about 20x the time).
#   wide:  3 traces of 10,000 and of 200,000 spans (a root with many client/server hops)
#   chain: 3 traces of 10,000 and of 100,000 spans, each one parent chain as deep as it is long
# Then the TUI's keys on a 200,000-span trace and on a 100,000-deep chain (tui-benchmark).
# Usage: scripts/bench-hostile-traces.sh   (about 5 minutes; prints median of 3 and peak memory)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product trace >&2
swift build -c release --product tui-benchmark >&2
root=$PWD
trace=$PWD/.build/release/trace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

# Median of 3 wall times in seconds, and the largest peak RSS, of one command.
measure() {
  local times=() peak=0
  for _ in 1 2 3; do
    /usr/bin/time -f "%e %M" -o t.txt "$@" >/dev/null 2>&1 || { echo "FAILED: $*"; return; }
    read -r seconds kb < t.txt
    times+=("$seconds"); (( kb > peak )) && peak=$kb
  done
  printf '%8.2f s  %5d MB' "$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)" $(( peak / 1024 ))
}

for spec in "wide 10000" "wide 200000" "chain 10000" "chain 100000"; do
  set -- $spec
  "$root/scripts/hostile-traces.py" "$1" "$2" 3 > "$1$2.jsonl"
  "$trace" import "$1$2.jsonl" --db "$1$2.db" >/dev/null 2>&1
  id=$("$trace" list --db "$1$2.db" --limit 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["traceId"])')
  echo "== $1, $2 spans a trace ($(sqlite3 "$1$2.db" 'SELECT count(*) FROM spans') stored)"
  for command in "show" "show --critical-path" "show --verbose" "diff --against median"; do
    printf '  %-28s %s\n' "$command" "$(measure "$trace" $command "$id" --db "$1$2.db" --width 120)"
  done
  printf '  %-28s %s\n' "stats" "$(measure "$trace" stats --db "$1$2.db")"
done

echo "== TUI: 200,000-span trace (a root with 100 chains)"
"$root/.build/release/tui-benchmark" 2000 200000 | sed -n '/-span trace/,$p'
echo "== TUI: 100,000-deep chain"
"$root/.build/release/tui-benchmark" 2000 100000 chain | sed -n '/-span trace/,$p'
