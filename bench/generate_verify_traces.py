#!/usr/bin/env python3
"""Write one OTLP/JSON request of TRACES traces of SPANS spans each (alternating SERVER
and CLIENT spans in a chain, six attributes of every type each) for timing
`tracemesh verify --file`. Deterministic: fixed ids and timestamps.

Usage: bench/generate_verify_traces.py OUTPUT [--traces 20000] [--spans 10]
"""
import argparse
import json

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("output")
parser.add_argument("--traces", type=int, default=20000)
parser.add_argument("--spans", type=int, default=10)
args = parser.parse_args()

start = 1767225600000000000
spans = []
for t in range(args.traces):
    for s in range(args.spans):
        spans.append({
            "traceId": "%032x" % (t + 1),
            "spanId": "%016x" % (t * 16 + s + 1),
            "parentSpanId": "" if s == 0 else "%016x" % (t * 16 + s),
            "name": "op%d" % s,
            "kind": 2 if s % 2 == 0 else 3,
            "startTimeUnixNano": str(start + t * 1000000 + s * 1000),
            "endTimeUnixNano": str(start + t * 1000000 + s * 1000 + (args.spans - s) * 100),
            "attributes": [
                {"key": "http.request.method", "value": {"stringValue": "POST"}},
                {"key": "http.response.status_code", "value": {"intValue": "200"}},
                {"key": "url.path", "value": {"stringValue": "/orders/%d" % s}},
                {"key": "tags", "value": {"arrayValue": {"values": [
                    {"stringValue": "a"}, {"stringValue": "t%d" % t}]}}},
                {"key": "db.rows", "value": {"doubleValue": 1.5}},
                {"key": "cached", "value": {"boolValue": True}},
            ],
        })
request = {"resourceSpans": [{
    "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]},
    "scopeSpans": [{"spans": spans}]}]}
with open(args.output, "w") as out:
    json.dump(request, out)
