#!/usr/bin/env python3
"""Writes OTLP/JSON lines (one request per trace) of traces no SDK makes but any sender can store.

Usage: scripts/hostile-traces.py wide|chain SPANS COPIES > traces.jsonl
  wide:  a frontend root with SPANS/2 client spans at random times, each with a backend server span
  chain: SPANS spans, each the parent of the next, alternating services (client -> server hops)
The same seed gives the same traces. Used by scripts/bench-hostile-traces.sh.
"""
import json, random, sys
shape, n, copies = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
random.seed(n)
base = 1_700_000_000_000_000_000
for c in range(copies):
    tid = "%032x" % (0xabc000 + c * 7919 + n)
    spans = {"frontend": [], "backend": []}
    if shape == "wide":
        # root (frontend) → n/2 client spans → each a backend server span: 2 services, many hops
        end = base + n * 1000 + c * 5000
        spans["frontend"].append({"traceId": tid, "spanId": "%016x" % 1, "name": "incoming call", "kind": 2,
            "startTimeUnixNano": str(base), "endTimeUnixNano": str(end)})
        for i in range(1, n // 2):
            s = base + random.randrange(0, n * 1000 - 2000)
            d = random.randrange(100, 2000)
            spans["frontend"].append({"traceId": tid, "spanId": "%016x" % (2 * i), "parentSpanId": "%016x" % 1, "name": "backend call",
                "kind": 3, "startTimeUnixNano": str(s), "endTimeUnixNano": str(s + d),
                "attributes": [{"key": "i", "value": {"intValue": str(i)}}]})
            spans["backend"].append({"traceId": tid, "spanId": "%016x" % (2 * i + 1), "parentSpanId": "%016x" % (2 * i), "name": "GET /",
                "kind": 2, "startTimeUnixNano": str(s + 10), "endTimeUnixNano": str(s + d - 10)})
    else:
        for i in range(1, n + 1):
            svc = "frontend" if i % 2 else "backend"
            spans[svc].append({"traceId": tid, "spanId": "%016x" % i, **({"parentSpanId": "%016x" % (i - 1)} if i > 1 else {}),
                "name": "level %d" % (i % 50), "kind": 3 if i % 2 else 2,
                "startTimeUnixNano": str(base + i), "endTimeUnixNano": str(base + 4 * n - i + c)})
    request = {"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": svc}}]},
        "scopeSpans": [{"spans": spans[svc]}]} for svc in ("frontend", "backend") if spans[svc]]}
    print(json.dumps(request, separators=(",", ":")))
