// Send one two-span trace to a collector with the official OpenTelemetry JS
// SDK, over OTLP/HTTP JSON or protobuf or over OTLP/gRPC (with or without
// gzip), and print what was sent as JSON so the test can compare it with what
// the collector stored.
// Usage: node send_trace.cjs ENDPOINT json|protobuf|grpc|grpc-gzip
'use strict';
const api = require('@opentelemetry/api');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { resourceFromAttributes } = require('@opentelemetry/resources');

async function main() {
  const [endpoint, protocol] = process.argv.slice(2);
  const modules = {
    json: '@opentelemetry/exporter-trace-otlp-http',
    protobuf: '@opentelemetry/exporter-trace-otlp-proto',
    grpc: '@opentelemetry/exporter-trace-otlp-grpc',
    'grpc-gzip': '@opentelemetry/exporter-trace-otlp-grpc',
  };
  const { OTLPTraceExporter } = require(modules[protocol]);
  const exporter = new OTLPTraceExporter(protocol.startsWith('grpc')
    ? { url: endpoint, compression: protocol === 'grpc-gzip' ? 'gzip' : 'none' }
    : { url: endpoint });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'js-peer', 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('interop-test', '1.0.0');
  const link = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 };
  const start = Date.now() - 1000;
  const parent = tracer.startSpan('GET /alerts', {
    kind: api.SpanKind.SERVER,
    startTime: start,
    attributes: {
      'http.request.method': 'GET', 'http.response.status_code': 503, 'ratio': 0.25,
      'cached': false, 'tags': ['a', 'b'], 'big': 9007199254740991,
    },
    links: [{ context: link, attributes: { 'link.reason': 'batch' } }],
  });
  parent.addEvent('retry', { attempt: 2 }, start + 10);
  parent.setStatus({ code: api.SpanStatusCode.ERROR, message: 'upstream unavailable' });
  const child = tracer.startSpan('POST', {
    kind: api.SpanKind.CLIENT,
    startTime: start + 20,
    attributes: { 'url.full': 'http://127.0.0.1:9/v1/enrich', 'server.port': 9 },
  }, api.trace.setSpan(api.ROOT_CONTEXT, parent));
  child.end(start + 400);
  parent.end(start + 500);
  await provider.forceFlush();
  await provider.shutdown();
  process.stdout.write(JSON.stringify({
    trace_id: parent.spanContext().traceId,
    parent_id: parent.spanContext().spanId,
    child_id: child.spanContext().spanId,
    start_unix_nano: String(BigInt(start) * 1000000n),
  }) + '\n');
}

main().catch((error) => { console.error(error); process.exit(1); });
