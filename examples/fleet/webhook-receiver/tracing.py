"""Spans for a service with no tracing SDK, exported as OTLP/HTTP JSON (stdlib only).

The webhook-receiver is a legacy-style service: it reads the caller's trace id
from X-Trace-ID (and the caller's span id from X-Parent-Span-ID), forwards
both by hand on its own outbound calls, and reports its spans to the collector
with this module: a background thread posting batches in the OTLP JSON mapping
to OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces.

X-Trace-ID maps to a W3C trace id exactly as the tracemesh SDK maps it
(docs/propagation.md): 32 hex digits as they are, a UUID without its dashes,
any other string as the first 16 bytes of its SHA-256.
"""

import contextvars
import hashlib
import json
import os
import queue
import re
import secrets
import sys
import threading
import time
import urllib.request

TRACE_ID_HEADER = "X-Trace-ID"
PARENT_SPAN_HEADER = "X-Parent-Span-ID"

SERVER, CLIENT = 2, 3  # OTLP SpanKind values
_STATUS_ERROR = 2
_MAX_QUEUED_SPANS = 2048
_MAX_BATCH = 512
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_HEX16 = re.compile(r"[0-9a-fA-F]{16}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")

# Where spans go: the collector's OTLP/HTTP base URL, as every OpenTelemetry SDK reads it.
TRACES_URL = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318").rstrip("/") + "/v1/traces"

current_span = contextvars.ContextVar("current_span", default=None)
SERVICE_NAME = os.environ.get("OTEL_SERVICE_NAME", "webhook-receiver")


def log(message, level="info"):
    """Write one JSON log line to stderr naming the current span's trace id (null outside a span)."""
    span = current_span.get()
    now = time.time_ns()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now // 1_000_000_000)) + f".{now % 1_000_000_000 // 1000:06d}Z"
    print(json.dumps({"ts": stamp, "level": level, "service": SERVICE_NAME, "trace_id": span.trace_id if span else None,
                      "span_id": span.span_id if span else None, "msg": message}), file=sys.stderr, flush=True)


def trace_headers():
    """The headers that continue the current span's trace on an outbound call; {} outside one."""
    span = current_span.get()
    if span is None:
        return {}
    return {TRACE_ID_HEADER: span.trace_id, PARENT_SPAN_HEADER: span.span_id}


def trace_id_from_header(value):
    """The 32-hex trace id a legacy X-Trace-ID value stands for, or None."""
    if not value or len(value) > 256:
        return None
    if _HEX32.fullmatch(value):
        return value.lower()
    if _UUID.fullmatch(value):
        return value.replace("-", "").lower()
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def span_id_from_header(value):
    """The 16-hex span id of an X-Parent-Span-ID value, or None."""
    if not value:
        return None
    if _HEX16.fullmatch(value):
        return value.lower()
    return hashlib.sha256(value.encode()).hexdigest()[:16]


class Span:
    """One span; end() hands it to the exporter."""

    def __init__(self, exporter, name, kind, trace_id, parent_span_id, attributes):
        self.exporter = exporter
        self.name = name
        self.kind = kind
        self.trace_id = trace_id or secrets.token_hex(16)
        self.span_id = secrets.token_hex(8)
        self.parent_span_id = parent_span_id
        self.attributes = dict(attributes)
        self.start = time.time_ns()
        self.error = None

    def set(self, key, value):
        self.attributes[key] = value

    def fail(self, message):
        self.error = message

    def end(self):
        self.exporter.add(self, time.time_ns())


def _value(value):
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


class OtlpJsonExporter:
    """Batches ended spans and posts them as OTLP JSON from a background thread.

    A full queue drops spans (counted); a failed post is logged once per batch
    to stderr and the batch is dropped: telemetry never blocks a request.
    """

    def __init__(self, service_name, delay_seconds=None):
        delay_ms = os.environ.get("OTEL_BSP_SCHEDULE_DELAY", "1000")
        self.delay = delay_seconds if delay_seconds is not None else int(delay_ms) / 1000
        self.resource = {"attributes": [{"key": "service.name", "value": _value(service_name)}]}
        self.queue = queue.Queue(_MAX_QUEUED_SPANS)
        self.dropped = 0
        self.reported_dropped = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="otlp-export", daemon=True)
        self.thread.start()

    def start_span(self, name, kind, trace_id=None, parent_span_id=None, attributes=()):
        return Span(self, name, kind, trace_id, parent_span_id, attributes or {})

    def add(self, span, end_ns):
        try:
            self.queue.put_nowait((span, end_ns))
        except queue.Full:
            self.dropped += 1

    def shutdown(self, timeout=5.0):
        self.stopping.set()
        self.thread.join(timeout)

    def _run(self):
        while not self.stopping.wait(self.delay):
            self._flush()
        self._flush()

    def _report_dropped(self):
        if self.dropped != self.reported_dropped:
            print(f"tracing: {self.dropped - self.reported_dropped} span(s) dropped: the export queue "
                  f"({_MAX_QUEUED_SPANS}) was full", file=sys.stderr, flush=True)
            self.reported_dropped = self.dropped

    def _flush(self):
        self._report_dropped()
        while not self.queue.empty():
            batch = []
            while len(batch) < _MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            self._post(batch)

    def _encode(self, span, end_ns):
        encoded = {
            "traceId": span.trace_id,
            "spanId": span.span_id,
            "name": span.name,
            "kind": span.kind,
            "startTimeUnixNano": str(span.start),
            "endTimeUnixNano": str(end_ns),
            "attributes": [{"key": k, "value": _value(v)} for k, v in span.attributes.items()],
        }
        if span.parent_span_id:
            encoded["parentSpanId"] = span.parent_span_id
        if span.error:
            encoded["status"] = {"code": _STATUS_ERROR, "message": span.error}
        return encoded

    def _post(self, batch):
        body = json.dumps({"resourceSpans": [{
            "resource": self.resource,
            "scopeSpans": [{"scope": {"name": "webhook-receiver.tracing"},
                            "spans": [self._encode(span, end) for span, end in batch]}],
        }]}).encode()
        request = urllib.request.Request(TRACES_URL, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
        except Exception as error:  # the export thread must outlive any failure: report, drop the batch
            print(f"tracing: {len(batch)} span(s) not exported to {TRACES_URL}: {error}", file=sys.stderr, flush=True)
