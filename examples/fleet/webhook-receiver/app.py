"""webhook-receiver: receives the fleet's alert webhooks (FastAPI + uvicorn + httpx).

A legacy-style service with no tracing SDK: the middleware reads X-Trace-ID and
X-Parent-Span-ID by hand, and the outbound call to `auth` (checking the
webhook's bearer token) forwards them with its own helper, tracing.trace_headers(). Spans go to the collector over
OTLP JSON through tracing.py. Its log lines are JSON on stderr, each naming the request's trace id
(tracing.log): what `tracemesh verify --logs` reads.

    POST /hooks/alerts   an alert, with "Authorization: Bearer TOKEN"
    GET  /healthz

Environment: LISTEN (HOST:PORT, default 127.0.0.1:0), AUTH_URL (default
http://auth:8081, the name a compose network gives it), OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT,
FLEET_BREAK (webhook-receiver->auth: the token check forgets the trace headers).
"""

import collections
import json
import os
import socket
import sys

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

import tracing
from tracing import PARENT_SPAN_HEADER, TRACE_ID_HEADER

SERVICE = os.environ.get("OTEL_SERVICE_NAME", "webhook-receiver")
AUTH_URL = os.environ.get("AUTH_URL", "http://auth:8081")  # the compose-style default
BREAK = os.environ.get("FLEET_BREAK", "").replace(" ", "") == "webhook-receiver->auth"
MAX_BODY_BYTES = 64 * 1024

exporter = tracing.OtlpJsonExporter(SERVICE)
auth_client = httpx.AsyncClient(timeout=5.0)
received = collections.deque(maxlen=1000)
app = FastAPI(title="webhook-receiver")


@app.middleware("http")
async def trace_requests(request: Request, call_next):
    """Continue the caller's trace from X-Trace-ID / X-Parent-Span-ID in a SERVER span."""
    trace_id = tracing.trace_id_from_header(request.headers.get(TRACE_ID_HEADER))
    parent = tracing.span_id_from_header(request.headers.get(PARENT_SPAN_HEADER)) if trace_id else None
    # The socket's own address, not the Host header (which the client chooses).
    server_host, server_port = request.scope.get("server") or ("", 0)
    span = exporter.start_span(f"{request.method} {request.url.path}", tracing.SERVER, trace_id, parent, {
        "http.request.method": request.method,
        "url.path": request.url.path,
        "server.address": server_host or "",
        "server.port": server_port or 0,
        "client.address": request.client.host if request.client else "",
        "tracemesh.propagation.format": "xtraceid" if trace_id else "none",
    })
    token = tracing.current_span.set(span)
    try:
        tracing.log(f"{request.method} {request.url.path}")
        response = await call_next(request)
        span.set("http.response.status_code", response.status_code)
        if response.status_code >= 500:
            span.fail(f"status {response.status_code}")
        response.headers[TRACE_ID_HEADER] = span.trace_id
        return response
    except BaseException as error:
        span.set("http.response.status_code", 500)
        span.fail(repr(error))
        raise
    finally:
        tracing.current_span.reset(token)
        span.end()


async def token_is_valid(authorization):
    """Ask auth whether the webhook's token is valid, in a CLIENT span."""
    url = f"{AUTH_URL}/verify"
    target = httpx.URL(url)
    span = exporter.start_span("POST", tracing.CLIENT, *_parent(), {
        "http.request.method": "POST", "url.full": url,
        "server.address": target.host, "server.port": target.port or 80,
    })
    token = tracing.current_span.set(span)  # the call continues the trace from this span
    try:
        if BREAK:
            # --break webhook-receiver->auth: a call site that forgot the trace headers.
            response = await auth_client.post(url, headers={"Authorization": authorization})
        else:
            response = await auth_client.post(url, headers={**tracing.trace_headers(), "Authorization": authorization})
        span.set("http.response.status_code", response.status_code)
        return response.status_code == 200
    except httpx.HTTPError as error:
        span.fail(f"{type(error).__name__}: {error}")
        tracing.log(f"auth unreachable at {url}: {type(error).__name__}: {error}", level="error")
        return None
    except BaseException as error:
        span.fail(repr(error))
        raise
    finally:
        tracing.current_span.reset(token)
        span.end()


def _parent():
    current = tracing.current_span.get()
    return (current.trace_id, current.span_id) if current else (None, None)


@app.post("/hooks/alerts")
async def receive_alert(request: Request):
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return JSONResponse({"error": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
    body = b""
    async for chunk in request.stream():  # chunked bodies carry no length: count as they come
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return JSONResponse({"error": f"body over {MAX_BODY_BYTES} bytes"}, status_code=413)
    valid = await token_is_valid(request.headers.get("Authorization", ""))
    if valid is None:
        return JSONResponse({"error": "auth unreachable"}, status_code=502)
    if not valid:
        return JSONResponse({"error": "invalid token"}, status_code=401)
    try:
        alert = json.loads(body)
    except ValueError as error:
        return JSONResponse({"error": f"malformed JSON: {error}"}, status_code=400)
    if not isinstance(alert, dict):
        return JSONResponse({"error": "an alert is a JSON object"}, status_code=400)
    received.append(alert)
    tracing.log(f"webhook {alert.get('id', '(no id)')} received")
    return {"received": alert.get("id"), "total": len(received)}


@app.get("/healthz")
async def healthz():
    return {"status": "ok", "received": len(received)}


def main():
    if len(sys.argv) > 1:
        print(__doc__, file=sys.stdout if sys.argv[1] in ("-h", "--help") else sys.stderr)
        sys.exit(0 if sys.argv[1] in ("-h", "--help") else 2)
    host, _, port = os.environ.get("LISTEN", "127.0.0.1:0").rpartition(":")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, int(port)))
    listener.listen(128)  # accepting before anyone is told the address
    print(f"listening on http://{host}:{listener.getsockname()[1]}", file=sys.stderr, flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    server.run(sockets=[listener])
    exporter.shutdown()
    print(f"stopped; {exporter.dropped} span(s) dropped", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
