#!/usr/bin/env python3
"""Post TRACES cross-service traces to a collector over OTLP/JSON, for timing the graph
and the hops (GET /api/graph, GET /api/hops) on calls that cross services: each trace is
front's SERVER root, its CLIENT call to orders (method, url.full, code location), orders'
SERVER span (http.route, tracemesh.propagation.format), its CLIENT call to billing and
billing's SERVER span; one trace in ten has billing start a new trace instead (a broken
hop). Timestamps are the last hour, so `?lookback=1h` holds them all.

Usage: bench/post_hop_traffic.py OTLP_URL [--traces 100000] [--batch 500]
"""
import argparse
import json
import random
import time
import urllib.request

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("otlp", help="the collector's OTLP/HTTP traces URL, http://HOST:PORT/v1/traces")
parser.add_argument("--traces", type=int, default=100000)
parser.add_argument("--batch", type=int, default=500, help="traces per request")
args = parser.parse_args()


def attribute(key, value):
    return {"key": key, "value": {"intValue": str(value)} if isinstance(value, int) else {"stringValue": value}}


def span(trace, span_id, parent, name, kind, start, attributes):
    return {"traceId": trace, "spanId": span_id, "parentSpanId": parent, "name": name, "kind": kind,
            "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 5_000_000), "attributes": attributes}


def call(method, url, line):
    return [attribute("http.request.method", method), attribute("url.full", url),
            attribute("code.file.path", "/build/shop/front/main.cpp"), attribute("code.line.number", line)]


def server(route, path, fmt):
    return [attribute("http.route", route), attribute("url.path", path), attribute("tracemesh.propagation.format", fmt)]


rng = random.Random(7)
now = time.time_ns()
by_service = {"front": [], "orders": [], "billing": []}
posted = 0
for t in range(args.traces):
    trace = "%032x" % rng.getrandbits(128)
    ids = ["%016x" % rng.getrandbits(64) for _ in range(5)]
    start = now - 3_000_000_000_000 + t * (3_000_000_000_000 // args.traces)
    order = rng.randrange(1, 10000)
    by_service["front"] += [span(trace, ids[0], "", "POST /checkout", 2, start, []),
                            span(trace, ids[1], ids[0], "GET", 3, start + 1000,
                                 call("GET", f"http://orders:8001/orders/{order}", 58))]
    broken = t % 10 == 0
    by_service["orders"] += [span(trace, ids[2], ids[1], "GET /orders/{id}", 2, start + 2000,
                                  server("/orders/{id}", f"/orders/{order}", "tracecontext")),
                             span(trace, ids[3], ids[2], "POST", 3, start + 3000,
                                  call("POST", "http://billing:8002/charge", 77))]
    by_service["billing"].append(span("%032x" % rng.getrandbits(128) if broken else trace, ids[4],
                                      "" if broken else ids[3], "POST /charge", 2, start + 4000,
                                      server("/charge", "/charge", "none" if broken else "tracecontext")))
    if (t + 1) % args.batch == 0 or t + 1 == args.traces:
        body = {"resourceSpans": [{"resource": {"attributes": [attribute("service.name", name)]},
                                   "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}]}
                                  for name, spans in by_service.items()]}
        request = urllib.request.Request(args.otlp, json.dumps(body).encode(),
                                         {"Content-Type": "application/json"})
        urllib.request.urlopen(request).read()
        posted += sum(len(spans) for spans in by_service.values())
        by_service = {name: [] for name in by_service}
print(f"posted {args.traces} traces, {posted} spans")
