#!/usr/bin/env bash
# Benchmark: `trace mcp` on a large file, driven by the `mcp` package's stdio client (the test venv's).
# Usage: scripts/bench-mcp.sh [requests]   (default 170000, about a million spans)
# Prints, for each tool call, the size of its answer in bytes and the wall time of the whole session.
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-170000}
python=$PWD/.build/test-python/bin/python3
[ -x "$python" ] || { echo "needs the test venv: swift test --filter MCPTests makes it (or see Tests/python-requirements.txt)" >&2; exit 1; }
swift build -c release --product trace >&2
trace=$PWD/.build/release/trace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

"$trace" run --requests "$requests" --concurrency 16 --error-rate 0.01 --db big.db >/dev/null 2>&1
sqlite3 big.db "SELECT 'traces ' || count(*) || ', spans ' || sum(span_count) FROM trace;"
slowest=$("$trace" list --sort duration --limit 1 --json --db big.db | "$python" -c 'import json,sys; print(json.load(sys.stdin)[0]["traceId"])')
calls='[["search_traces", {}], ["search_traces", {"query": "{ status = error }"}], ["trace_summary", {"trace_id": "'"$slowest"'"}],
        ["compare", {"trace_id": "'"$slowest"'"}], ["operation_stats", {}], ["list_services", {}], ["service_map", {}]]'
start=$(date +%s%N)
"$python" "$OLDPWD/Tests/CLITests/Fixtures/mcp_session.py" "$trace" big.db "$calls" > session.json
echo "session of 7 calls: $(( ($(date +%s%N) - start) / 1000000 )) ms"
"$python" - "$calls" <<'PY'
import json, sys
calls = json.loads(sys.argv[1])
results = json.load(open("session.json"))["results"]
for (name, arguments), result in zip(calls, results):
    print(f"{name:16} {json.dumps(arguments)[:40]:42} {len(result['text'].encode()):>7} bytes{'  (error)' if result['isError'] else ''}")
PY
