#!/usr/bin/env python3
"""Generate fixed OTLP/HTTP JSON (and Zipkin v2 JSON, and one OTLP protobuf) request
bodies for the tracemesh byte-identity harness.

Usage: scripts/compare-outputs-traces.py OUTDIR (run by scripts/compare-outputs)

Everything is deterministic: fixed trace/span ids, fixed timestamps (around
2026-01-01T00:00:00Z), sorted JSON keys. Running it twice gives identical files.

Files written into OUTDIR:
  late.json        a 4th span of the healthy trace (service ledger), posted once the trace settled
  broken-caller.json, broken-callee.json   broken.json split in two (caller half, callee half)
  spec.yaml, spec-bad.yaml                 verify spec files (a valid one; one with errors)
  odd-nonul.json   odd.json with the NUL in a span name replaced by U+0002
  healthy.json     a healthy 3-span, 3-service trace (server spans only: ui -> orders -> payments)
  fleet.json       a healthy trace with CLIENT/SERVER pairs (bot -> agent-service -> rag-service)
                   and a connected MQTT producer -> consumer hop (graph edges, p50/p95)
  broken.json      agent-service's CLIENT call to rag-service whose SERVER span starts a new trace
                   (tracemesh.propagation.format = "none" on the callee: culprit
                   caller_did_not_inject), an error status whose message has quotes and a backslash,
                   a messaging hop whose consumer started a new trace although it names a format
                   (culprit callee_did_not_extract), and a call to a host that sent no spans
                   (unanswered / uninstrumented peer)
  odd.json         unicode, control characters and emoji in service and span names, an orphan,
                   clock skew (child starts before and ends after its parent), an end before the
                   start, a missing (zero) end time, attributes of every AnyValue type (bytes,
                   double incl. NaN/Infinity, int64 extremes as strings and numbers, arrays,
                   nested kvlists, empty values), events, links, snake_case field names,
                   upper-case hex ids, a multiple-roots trace
  invalid.json     partial success: valid spans beside spans the decoder rejects (kind as a
                   name, an all-zero trace id, a start time past 2^63-1, status.code 7)
  combined.jsonl   healthy.json and broken.json as JSON Lines (verify --file reads one request a line)
  zipkin.json      Zipkin v2 JSON: 64-bit and 128-bit trace ids, a shared server span, an error tag,
                   annotations, local/remote endpoints
  fleet.pb         one ExportTraceServiceRequest in protobuf (hand-encoded, no protobuf module
                   needed): its own trace, 2 spans, every AnyValue type
  malformed.json   a body that is not JSON (400)
  trace_ids.txt    every trace id the collector should hold, one a line (lower-case hex)
  services.txt     every service name, one a line (for /api/services/X/operations)
  window.txt       "START END" in Unix nanoseconds, covering every timestamp above
"""
import base64
import json
import os
import struct
import sys

T0 = 1_767_225_600_000_000_000  # 2026-01-01T00:00:00Z in ns
MS = 1_000_000
US = 1_000


def av(value):
    """A Python value as an OTLP JSON AnyValue."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, bytes):
        return {"bytesValue": base64.b64encode(value).decode()}
    if isinstance(value, list):
        return {"arrayValue": {"values": [av(v) for v in value]}}
    if isinstance(value, dict):
        return {"kvlistValue": {"values": [{"key": k, "value": av(v)} for k, v in value.items()]}}
    return {"stringValue": value}


def attrs(mapping):
    return [{"key": k, "value": av(v)} for k, v in mapping.items()]


def span(trace, span_id, name, kind, start, end, parent=None, attributes=None, status=None,
         events=None, links=None):
    s = {"traceId": trace, "spanId": span_id, "name": name, "kind": kind,
         "startTimeUnixNano": str(start)}
    if end is not None:
        s["endTimeUnixNano"] = str(end)
    if parent:
        s["parentSpanId"] = parent
    if attributes:
        s["attributes"] = attrs(attributes)
    if status:
        s["status"] = status
    if events:
        s["events"] = events
    if links:
        s["links"] = links
    return s


def request(groups):
    """groups: [(service, [spans])] -> ExportTraceServiceRequest (one resource per service)."""
    return {"resourceSpans": [
        {"resource": {"attributes": attrs({"service.name": service})},
         "scopeSpans": [{"scope": {"name": "bytecheck", "version": "1.0"}, "spans": spans}]}
        for service, spans in groups]}


SERVER, CLIENT, PRODUCER, CONSUMER, INTERNAL = 2, 3, 4, 5, 1

# ---------------------------------------------------------------- healthy.json
H = "4bf92f3577b34da6a3ce929d0e0e4736"
H0 = T0 + 1000 * MS
healthy = request([
    ("ui", [span(H, "a000000000000001", "GET /checkout", SERVER, H0, H0 + 100 * MS,
                 attributes={"http.request.method": "GET", "url.path": "/checkout",
                             "http.response.status_code": 200},
                 status={"code": 1})]),
    ("orders", [span(H, "a000000000000002", "POST /orders", SERVER, H0 + 10 * MS, H0 + 80 * MS,
                     parent="a000000000000001",
                     attributes={"http.request.method": "POST", "url.path": "/orders",
                                 "http.response.status_code": 201})]),
    ("payments", [span(H, "a000000000000003", "POST /charge", SERVER, H0 + 20 * MS, H0 + 60 * MS,
                       parent="a000000000000002",
                       attributes={"http.request.method": "POST", "url.path": "/charge",
                                   "http.response.status_code": 200, "payment.amount": 12.5})]),
])

# ---------------------------------------------------------------- fleet.json
F = "0af7651916cd43dd8448eb211c80319c"
F0 = T0 + 2000 * MS
fleet = request([
    ("bot", [
        span(F, "f000000000000001", "POST /ask", SERVER, F0, F0 + 100 * MS,
             attributes={"url.path": "/ask", "http.response.status_code": 200,
                         "http.request.header.x-trace-id": ["7b0c9e"]}),
        span(F, "f000000000000002", "POST", CLIENT, F0 + 5 * MS, F0 + 90 * MS,
             parent="f000000000000001",
             attributes={"url.full": "http://agent-service:8080/run?x=1", "server.address": "agent-service",
                         "server.port": 8080, "http.request.method": "POST"}),
    ]),
    ("agent-service", [
        span(F, "f000000000000003", "POST /run", SERVER, F0 + 6 * MS, F0 + 88 * MS,
             parent="f000000000000002",
             attributes={"url.path": "/run", "server.address": "agent-service", "server.port": 8080,
                         "tracemesh.propagation.format": "tracecontext",
                         "http.response.status_code": 200}),
        span(F, "f000000000000004", "POST", CLIENT, F0 + 10 * MS, F0 + 70 * MS,
             parent="f000000000000003",
             attributes={"url.full": "http://rag-service:9000/search", "server.address": "rag-service",
                         "server.port": 9000}),
        span(F, "f000000000000005", "publish fleet/alerts/pump-7", PRODUCER, F0 + 72 * MS, F0 + 73 * MS,
             parent="f000000000000003",
             attributes={"messaging.system": "mqtt", "messaging.destination.name": "fleet/alerts/pump-7"}),
    ]),
    ("rag-service", [
        span(F, "f000000000000006", "POST /search", SERVER, F0 + 12 * MS, F0 + 68 * MS,
             parent="f000000000000004",
             attributes={"url.path": "/search", "server.address": "rag-service", "server.port": 9000,
                         "http.response.status_code": 200, "tracemesh.propagation.format": "tracecontext"}),
        span(F, "f000000000000007", "embed query", INTERNAL, F0 + 15 * MS, F0 + 30 * MS,
             parent="f000000000000006"),
    ]),
    ("mqtt-consumer", [
        span(F, "f000000000000008", "process fleet/alerts/pump-7", CONSUMER, F0 + 80 * MS, F0 + 150 * MS,
             parent="f000000000000005",
             attributes={"messaging.system": "mqtt", "messaging.destination.name": "fleet/alerts/pump-7"}),
    ]),
])

# ---------------------------------------------------------------- broken.json
B = "6a8018a30a4beb009f00bc4110fb122e"   # the caller's trace
BC = "6bf9d1c3e5a7b9d0f1e2d3c4b5a69788"  # the trace rag-service started instead
BM = "7c0ae2d4f6b8c0e1f2a3b4c5d6e7f809"  # the trace the MQTT consumer started instead
B0 = T0 + 3000 * MS
broken = request([
    ("bot", [
        span(B, "b000000000000001", "POST /ask", SERVER, B0, B0 + 100 * MS,
             attributes={"url.path": "/ask"}),
        span(B, "b000000000000002", "POST", CLIENT, B0 + 5 * MS, B0 + 90 * MS,
             parent="b000000000000001",
             attributes={"url.full": "http://agent-service:8080/run", "server.address": "agent-service",
                         "server.port": 8080}),
    ]),
    ("agent-service", [
        span(B, "b000000000000003", "POST /run", SERVER, B0 + 7 * MS, B0 + 90 * MS,
             parent="b000000000000002",
             attributes={"url.path": "/run", "server.address": "agent-service", "server.port": 8080,
                         "tracemesh.propagation.format": "tracecontext"}),
        # The broken hop: no SERVER span answers this call in trace B.
        span(B, "b000000000000004", "POST", CLIENT, B0 + 10 * MS, B0 + 80 * MS,
             parent="b000000000000003",
             attributes={"url.full": "http://rag-service:9000/search?q=x", "server.address": "rag-service",
                         "server.port": 9000, "http.request.method": "POST",
                         "http.response.status_code": 500},
             status={"code": 2, "message": 'upstream said "boom" at C:\\rag\\search.py \\"quoted\\"'}),
        # A call to a host that never sends spans: unanswered.
        span(B, "b000000000000005", "GET", CLIENT, B0 + 82 * MS, B0 + 85 * MS,
             parent="b000000000000003",
             attributes={"url.full": "http://legacy-billing:7000/balance", "server.address": "legacy-billing",
                         "server.port": 7000}),
        # A publish whose consumer started a new trace.
        span(B, "b000000000000006", "publish fleet/alerts/pump-9", PRODUCER, B0 + 86 * MS, B0 + 87 * MS,
             parent="b000000000000003",
             attributes={"messaging.system": "mqtt", "messaging.destination.name": "fleet/alerts/pump-9"}),
    ]),
    ("rag-service", [
        span(BC, "c000000000000001", "POST /search", SERVER, B0 + 12 * MS, B0 + 78 * MS,
             attributes={"url.path": "/search", "server.address": "rag-service", "server.port": 9000,
                         "tracemesh.propagation.format": "none", "http.response.status_code": 500},
             status={"code": 2, "message": 'index "main" missing: path C:\\idx\\main\\ not found'}),
        span(BC, "c000000000000002", "query index", INTERNAL, B0 + 20 * MS, B0 + 70 * MS,
             parent="c000000000000001",
             status={"code": 2, "message": "tab\there, newline\nthere, quote \" backslash \\"}),
    ]),
    ("mqtt-consumer", [
        span(BM, "d000000000000001", "process fleet/alerts/pump-9", CONSUMER, B0 + 500 * MS, B0 + 520 * MS,
             attributes={"messaging.system": "mqtt", "messaging.destination.name": "fleet/alerts/pump-9",
                         "tracemesh.propagation.format": "b3"}),
    ]),
])

# ---------------------------------------------------------------- odd.json
O = "0123456789ABCDEF0123456789ABCDEF"   # upper-case hex on purpose
O2 = "fedcba9876543210fedcba9876543210"  # two roots
O0 = T0 + 4000 * MS
odd_attrs = {
    "bytes.value": b"\x00\x01\xfe\xffbinary\n",
    "double.pi": 3.141592653589793,
    "double.tiny": 5e-324,
    "double.huge": 1.7976931348623157e308,
    "double.negzero": -0.0,
    "double.third": 1.0 / 3.0,
    "int.max": 9223372036854775807,
    "int.min": -9223372036854775808,
    "int.zero": 0,
    "bool.true": True,
    "bool.false": False,
    "array.mixed": ["a", 1, 2.5, True, b"\x7f", ["nested", 2], {"k": "v"}],
    "array.empty": [],
    "kvlist.nested": {"a": 1, "b": {"c": ["x", "y"], "d": {"e": "deep"}}, "f": "ü🚀"},
    "string.unicode": "naïve café – 日本語 – 🚀🔥 – \u200b zero-width – \U0001F9EA",
    "string.controls": "nul?\u0001\u0007\u001b[31mred\u001b[0m\ttab\r\nline\u007f",
    "string.quotes": 'he said "hi" \\ back\\slash </script>',
    "http.request.header.x-trace-id": ["3f2504e0-4f89-11d3-9a0c-0305e82c3301", "other"],
}
odd_root = span(O, "00000000000000A1", "GET /ünïcödé/🚀?q=\"x\"", SERVER, O0, O0 + 100 * MS,
                attributes=odd_attrs,
                events=[{"timeUnixNano": str(O0 + 1 * MS), "name": "exception",
                         "attributes": attrs({"exception.type": "ValueError",
                                              "exception.message": "bad \"value\"\n\tat line 3",
                                              "exception.stacktrace": "Traceback...\\n"})},
                        {"timeUnixNano": str(O0 + 2 * MS), "name": "emoji 🎉 event"}],
                links=[{"traceId": H, "spanId": "a000000000000001", "traceState": "vendor=1",
                        "attributes": attrs({"link.kind": "follows_from"})}],
                status={"code": 2, "message": "ünïcödé \"error\" 🚨"})
odd_root["traceState"] = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"
odd_root["flags"] = 1
odd_root["droppedAttributesCount"] = 3
odd_root["unknownFutureField"] = {"ignored": [1, 2, 3]}
odd = {"resourceSpans": [
    {"resource": {"attributes": attrs({"service.name": "svc-ünïcödé-日本-🚀",
                                       "service.version": "1.2.3", "host.name": "h\u00e9te",
                                       "deployment.environment": "bytecheck"})},
     "scopeSpans": [{"scope": {"name": "odd-scope", "version": "0.0.1",
                               "attributes": attrs({"scope.attr": 1})},
                     "spans": [
                         odd_root,
                         # clock skew: starts 5 ms before its parent and ends 10 ms after it
                         span(O, "00000000000000A2", "skewed child", CLIENT, O0 - 5 * MS, O0 + 110 * MS,
                              parent="00000000000000A1",
                              attributes={"url.full": "http://nowhere.invalid:1/x",
                                          "server.address": "nowhere.invalid", "server.port": 1}),
                         # end before start
                         span(O, "00000000000000A3", "ends before it starts", INTERNAL, O0 + 50 * MS,
                              O0 + 40 * MS, parent="00000000000000A1"),
                         # no end time at all (zero)
                         span(O, "00000000000000A4", "never ended", INTERNAL, O0 + 60 * MS, None,
                              parent="00000000000000A1"),
                         # explicit zero end time
                         span(O, "00000000000000A5", "zero end", INTERNAL, O0 + 61 * MS, 0,
                              parent="00000000000000A1"),
                     ]}]},
    {"resource": {"attributes": attrs({"service.name": "ctl\u0001\u0002svc\ttab\nnewline"})},
     "scope_spans": [{"spans": [
         # snake_case fields, an orphan (parent never arrives), empty AnyValue and null value
         {"trace_id": O.lower(), "span_id": "00000000000000b1", "parent_span_id": "00000000000000ff",
          "name": "orphan \u0000 nul \u001f unit-sep", "kind": 5,
          "start_time_unix_nano": O0 + 20 * MS, "end_time_unix_nano": O0 + 30 * MS,
          "attributes": [{"key": "empty.value", "value": {}},
                         {"key": "double.nan", "value": {"doubleValue": "NaN"}},
                         {"key": "double.inf", "value": {"doubleValue": "Infinity"}},
                         {"key": "double.ninf", "value": {"doubleValue": "-Infinity"}},
                         {"key": "int.as.number", "value": {"intValue": 1234567890123}},
                         {"key": "", "value": {"stringValue": "empty key"}}]},
     ]}]},
    {"resource": {"attributes": attrs({"service.name": "🔥🔥🔥"})},
     "scopeSpans": [{"spans": [
         span(O2, "00000000000000c1", "root one 🎯", SERVER, O0 + 200 * MS, O0 + 210 * MS),
         span(O2, "00000000000000c2", "root two", SERVER, O0 + 205 * MS, O0 + 215 * MS),
         span(O2, "00000000000000c3", "", INTERNAL, O0 + 206 * MS, O0 + 207 * MS,
              parent="00000000000000c1"),
     ]}]},
]}

# ---------------------------------------------------------------- invalid.json
I = "1111111111111111222222222222222f"
I0 = T0 + 5000 * MS
invalid = request([
    ("partial", [
        span(I, "e000000000000001", "kept root", SERVER, I0, I0 + 10 * MS),
        {"traceId": I, "spanId": "e000000000000002", "name": "kind as a name", "kind": "SPAN_KIND_SERVER",
         "startTimeUnixNano": str(I0), "endTimeUnixNano": str(I0 + 1)},
        span("00000000000000000000000000000000", "e000000000000003", "zero trace id", SERVER, I0, I0 + 1),
        span(I, "e000000000000004", "beyond 2262", SERVER, 9223372036854775808, 9223372036854775809,
             parent="e000000000000001"),
        span(I, "e000000000000005", "bad status", SERVER, I0, I0 + 1, parent="e000000000000001",
             status={"code": 7}),
        span(I, "e000000000000006", "kept child", INTERNAL, I0 + 1 * MS, I0 + 2 * MS,
             parent="e000000000000001"),
    ]),
])

# ---------------------------------------------------------------- late.json
# one more span of the healthy trace, posted after it settled: the collector judges it again
late = request([
    ("ledger", [span(H, "a000000000000004", "INSERT ledger", CLIENT, H0 + 30 * MS, H0 + 50 * MS,
                     parent="a000000000000003",
                     attributes={"db.system": "postgresql", "server.address": "db", "server.port": 5432})]),
])

# ---------------------------------------------------------------- zipkin.json
Z0_US = (T0 + 6000 * MS) // 1000
zipkin = [
    {"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174", "name": "post /charge", "kind": "CLIENT",
     "timestamp": Z0_US, "duration": 2500,
     "localEndpoint": {"serviceName": "zipkin-front", "ipv4": "10.0.0.1"},
     "remoteEndpoint": {"serviceName": "zipkin-pay", "ipv4": "10.0.0.2", "port": 8080},
     "tags": {"http.method": "POST", "http.path": "/charge", "error": "timeout \"quoted\" \\"},
     "annotations": [{"timestamp": Z0_US + 1000, "value": "retry ü"}], "debug": False},
    {"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174", "name": "post /charge", "kind": "SERVER",
     "shared": True, "timestamp": Z0_US + 100, "duration": 2000,
     "localEndpoint": {"serviceName": "zipkin-pay", "ipv4": "10.0.0.2", "port": 8080},
     "remoteEndpoint": {"ipv4": "10.0.0.1", "port": 51234},
     "tags": {"http.path": "/charge"}},
    {"traceId": "5B8EFFF798038103D269B633813FC60D", "id": "aaaaaaaaaaaaaaa1", "name": "get /zipkin128",
     "kind": "SERVER", "timestamp": Z0_US + 5000, "duration": 1000,
     "localEndpoint": {"serviceName": "zipkin-128"}, "tags": {"component": "zipkin"}},
    {"traceId": "5B8EFFF798038103D269B633813FC60D", "id": "aaaaaaaaaaaaaaa2", "parentId": "aaaaaaaaaaaaaaa1",
     "name": "produce", "kind": "PRODUCER", "timestamp": Z0_US + 5100, "duration": 10,
     "localEndpoint": {"serviceName": "zipkin-128"}, "remoteEndpoint": {"serviceName": "kafka"}},
]
ZIPKIN_TRACES = ["0000000000000000d269b633813fc60c", "5b8efff798038103d269b633813fc60d"]
ZIPKIN_SERVICES = ["zipkin-front", "zipkin-pay", "zipkin-128"]

# ---------------------------------------------------------------- fleet.pb (hand-encoded protobuf)
P = "5b8efff798038103d269b633813fc60c"
P0 = T0 + 7000 * MS


def varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def fld(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 0:
        return key + varint(payload)
    if wire == 1:
        return key + struct.pack("<Q", payload) if isinstance(payload, int) else key + payload
    if wire == 2:
        return key + varint(len(payload)) + payload
    if wire == 5:
        return key + struct.pack("<I", payload)
    raise ValueError(wire)


def pb_anyvalue(v):
    if isinstance(v, bool):
        return fld(2, 0, int(v))
    if isinstance(v, int):
        return fld(3, 0, v)
    if isinstance(v, float):
        return fld(4, 1, struct.pack("<d", v))
    if isinstance(v, bytes):
        return fld(7, 2, v)
    if isinstance(v, list):
        return fld(5, 2, b"".join(fld(1, 2, pb_anyvalue(x)) for x in v))
    if isinstance(v, dict):
        return fld(6, 2, b"".join(fld(1, 2, pb_kv(k, x)) for k, x in v.items()))
    return fld(1, 2, v.encode())


def pb_kv(k, v):
    return fld(1, 2, k.encode()) + fld(2, 2, pb_anyvalue(v))


def pb_span(trace, span_id, name, kind, start, end, parent=None, attributes=None, status=None):
    out = fld(1, 2, bytes.fromhex(trace)) + fld(2, 2, bytes.fromhex(span_id))
    if parent:
        out += fld(4, 2, bytes.fromhex(parent))
    out += fld(5, 2, name.encode()) + fld(6, 0, kind) + fld(7, 1, start) + fld(8, 1, end)
    for k, v in (attributes or {}).items():
        out += fld(9, 2, pb_kv(k, v))
    out += fld(11, 2, fld(1, 1, start + 1) + fld(2, 2, b"pb event"))
    if status:
        out += fld(15, 2, fld(2, 2, status[1].encode()) + fld(3, 0, status[0]))
    return out


def pb_resource_spans(service, spans):
    resource = fld(1, 2, pb_kv("service.name", service))
    scope = fld(1, 2, b"pb-scope") + fld(2, 2, b"9")
    return fld(1, 2, resource) + fld(2, 2, fld(1, 2, scope) + b"".join(fld(2, 2, s) for s in spans))


fleet_pb = (
    fld(1, 2, pb_resource_spans("pb-gateway", [
        pb_span(P, "9000000000000001", "GET /pb", SERVER, P0, P0 + 50 * MS,
                attributes={"s": "x", "i": -42, "d": 0.25, "b": True, "y": b"\x00\xff",
                            "arr": ["a", 1], "kv": {"n": {"m": 1}}}),
        pb_span(P, "9000000000000002", "GET", CLIENT, P0 + 5 * MS, P0 + 40 * MS, parent="9000000000000001",
                attributes={"url.full": "http://pb-backend:81/item", "server.address": "pb-backend",
                            "server.port": 81}),
    ]))
    + fld(1, 2, pb_resource_spans("pb-backend", [
        pb_span(P, "9000000000000003", "GET /item", SERVER, P0 + 6 * MS, P0 + 39 * MS,
                parent="9000000000000002", attributes={"url.path": "/item", "server.port": 81},
                status=(2, 'pb "error" \\')),
    ]))
)


SPEC = """# verify spec for the bytecheck traces
builtin: [single_root, no_orphans, no_broken_hops, no_clock_skew]
skew_tolerance: 5ms
timeout: 5s
checks:
  - name: checkout is connected
    select:
      root_service: ui
      root_operation: GET /checkout
    expect:
      - ui -> orders -> payments
      - span[service=payments kind=server] http.response.status_code = 200
      - trace duration < 2s
  - name: the agent reaches rag
    select:
      root_service: bot
    expect:
      - bot -> agent-service -> rag-service
      - agent-service -> (mqtt) -> mqtt-consumer
      - "span[service=rag-service kind=server] tracemesh.propagation.format = tracecontext"
  - name: selected by attribute
    select:
      attributes: {http.request.header.x-trace-id: 7b0c9e}
    expect:
      - count(span[kind=client]) <= 1
      - 'span[name="POST /ask"] duration < 50ms'
  - name: by trace id
    select:
      trace_id: 6a8018a30a4beb009f00bc4110fb122e
    expect:
      - |
        span status != error
  - name: no select
    expect:
      - span secret not exists
"""

SPEC_BAD = """builtin: [single_root]
checks:
  - name: bad expectation
    expect:
      - span[kind=sever] x = 1
  - name: bad expectation
    expect: [ui -> orders]
"""


def services_of(req):
    names = []
    for rs in req["resourceSpans"]:
        for kv in rs["resource"]["attributes"]:
            if kv["key"] == "service.name":
                names.append(kv["value"]["stringValue"])
    return names


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    def write(name, data):
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(os.path.join(out, name), mode, **({} if mode == "wb" else {"encoding": "utf-8",
                                                                                 "newline": "\n"})) as f:
            f.write(data)

    def dump(obj):
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, indent=1) + "\n"

    write("healthy.json", dump(healthy))
    write("fleet.json", dump(fleet))
    write("broken.json", dump(broken))
    write("odd.json", dump(odd))
    write("invalid.json", dump(invalid))
    write("combined.jsonl", json.dumps(healthy, ensure_ascii=False, sort_keys=True) + "\n"
          + json.dumps(broken, ensure_ascii=False, sort_keys=True) + "\n")
    write("zipkin.json", dump(zipkin))
    write("fleet.pb", fleet_pb)
    write("malformed.json", '{"resourceSpans": [ {"resource": \n')
    # odd.json without the NUL byte in a span name (the text report stops at a NUL; this
    # variant lets the rest of odd.json show in text output too)
    write("odd-nonul.json", dump(odd).replace("\\u0000", "\\u0002"))
    # broken.json split: the caller's half and the callee's half in different files
    # (verify finds broken hops across every file given)
    callers = {"resourceSpans": [rs for rs in broken["resourceSpans"]
                                 if services_of({"resourceSpans": [rs]})[0] in ("bot", "agent-service")]}
    callees = {"resourceSpans": [rs for rs in broken["resourceSpans"]
                                 if services_of({"resourceSpans": [rs]})[0] not in ("bot", "agent-service")]}
    write("broken-caller.json", dump(callers))
    write("broken-callee.json", dump(callees))
    write("late.json", dump(late))
    write("spec.yaml", SPEC)
    write("spec-bad.yaml", SPEC_BAD)
    traces = [H, F, B, BC, BM, O.lower(), O2, I, P] + ZIPKIN_TRACES
    write("trace_ids.txt", "".join(t + "\n" for t in traces))
    services = []
    for req in (healthy, fleet, broken, odd, invalid, late):
        for s in services_of(req):
            if s not in services:
                services.append(s)
    services += ZIPKIN_SERVICES + ["pb-gateway", "pb-backend"]
    # one line per service; names holding a newline are written JSON-escaped on their own line
    write("services.txt", "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in services))
    write("window.txt", f"{T0} {T0 + 10_000 * MS}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
