// agent: enriches alerts for the fleet. A Node.js service on the official
// OpenTelemetry JS SDK, not on tracemesh: W3C trace context extracted from
// each request, spans exported over OTLP/HTTP to the collector. It shows a
// foreign SDK continuing the C++ services' traces.
//
//   POST /v1/enrich {"id", "device", "severity", "message"} -> the alert with
//        "priority", "runbook" and "summary" added
//   GET  /healthz
//
// Environment: LISTEN (HOST:PORT, default 127.0.0.1:0), OTEL_SERVICE_NAME
// (default agent), OTEL_EXPORTER_OTLP_ENDPOINT and the other OTEL_* settings
// the SDK reads. Needs NODE_PATH to hold the npm-installed SDK.
'use strict';
const http = require('node:http');
const api = require('@opentelemetry/api');
const {
  CompositePropagator, W3CTraceContextPropagator, W3CBaggagePropagator,
} = require('@opentelemetry/core');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { resourceFromAttributes } = require('@opentelemetry/resources');

const MAX_BODY_BYTES = 64 * 1024;
const PRIORITIES = { critical: 'P1', high: 'P2', warning: 'P3' };

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write('Usage: node agent.cjs\nEnriches alerts: POST /v1/enrich, GET /healthz.\n' +
    'Environment: LISTEN (HOST:PORT, default 127.0.0.1:0), OTEL_SERVICE_NAME, OTEL_EXPORTER_OTLP_ENDPOINT.\n');
  process.exit(0);
}

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME || 'agent' }),
  spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
});
api.propagation.setGlobalPropagator(new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
}));
const tracer = provider.getTracer('fleet-agent', '1.0.0');

function enrich(alert) {
  const priority = PRIORITIES[alert.severity] || 'P4';
  return {
    ...alert,
    priority,
    runbook: `https://runbooks.example/${encodeURIComponent(alert.device)}`,
    summary: `[${priority}] ${alert.device}: ${alert.message}`,
  };
}

function send(response, status, body) {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

// Run one request in a SERVER span continuing the caller's trace.
function handle(request, response, body) {
  const parent = api.propagation.extract(api.ROOT_CONTEXT, request.headers);
  const url = new URL(request.url, 'http://localhost');
  const { address, port } = request.socket.address();
  const span = tracer.startSpan(`${request.method} ${url.pathname}`, {
    kind: api.SpanKind.SERVER,
    attributes: {
      'http.request.method': request.method, 'url.path': url.pathname, 'url.scheme': 'http',
      'server.address': address, 'server.port': port,
      'client.address': request.socket.remoteAddress,
      // What carried the caller's context: lets the collector tell a caller
      // that sent nothing from a callee that dropped what it got.
      'tracemesh.propagation.format': request.headers.traceparent ? 'tracecontext' : 'none',
    },
  }, parent);
  const finish = (status, payload) => {
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
    send(response, status, payload);
    span.end();
  };
  if (request.method === 'GET' && url.pathname === '/healthz') return finish(200, { status: 'ok' });
  if (request.method !== 'POST' || url.pathname !== '/v1/enrich') return finish(404, { error: 'not found' });
  if (body === null) return finish(413, { error: `body over ${MAX_BODY_BYTES} bytes` });
  let alert;
  try {
    alert = JSON.parse(body);
  } catch (error) {
    return finish(400, { error: `malformed JSON: ${error.message}` });
  }
  if (!alert || typeof alert !== 'object' || typeof alert.device !== 'string') {
    return finish(400, { error: 'an alert is a JSON object with a string "device"' });
  }
  const inner = tracer.startSpan('classify alert', {
    attributes: { 'alert.severity': String(alert.severity) },
  }, api.trace.setSpan(parent, span));
  const enriched = enrich(alert);
  inner.setAttribute('alert.priority', enriched.priority);
  inner.end();
  return finish(200, enriched);
}

// Answer a request the handler could not (a malformed target, a bug) without
// taking the process down.
function fail(response, error) {
  process.stderr.write(`request failed: ${error && error.stack || error}\n`);
  if (!response.headersSent) send(response, 400, { error: String(error && error.message || error) });
  else response.destroy();
}

const server = http.createServer((request, response) => {
  const respond = (body) => {
    try {
      handle(request, response, body);
    } catch (error) {
      fail(response, error);
    }
  };
  const chunks = [];
  let size = 0;
  const declared = Number(request.headers['content-length']);
  if (declared > MAX_BODY_BYTES) {  // refuse at once, without reading it
    response.setHeader('connection', 'close');
    return respond(null);
  }
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    else request.destroy();  // a chunked body past the limit: stop reading
  });
  request.on('error', () => {});  // a client that went away: nothing to answer
  request.on('end', () => respond(Buffer.concat(chunks).toString('utf8')));
});

const listen = process.env.LISTEN || '127.0.0.1:0';
const colon = listen.lastIndexOf(':');
const port = Number(listen.slice(colon + 1));
if (colon <= 0 || !Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`LISTEN must be HOST:PORT, got '${listen}'\n`);
  process.exit(2);
}
server.listen(port, listen.slice(0, colon), () => {
  const { address, port } = server.address();
  process.stderr.write(`listening on http://${address}:${port}\n`);
});
server.on('error', (error) => {
  process.stderr.write(`cannot listen on ${listen}: ${error.message}\n`);
  process.exit(1);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.close();
    provider.shutdown().finally(() => {
      process.stderr.write(`stopped on ${signal}\n`);
      process.exit(0);
    });
  });
}
