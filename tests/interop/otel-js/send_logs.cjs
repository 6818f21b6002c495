// Send three log records to a collector with the official OpenTelemetry JS
// SDK's log exporter, over OTLP/HTTP JSON or protobuf: one in a span's context,
// one carrying a legacy id in an attribute and no context, one naming no
// trace at all. Prints what was sent as JSON so the test can compare.
// Usage: node send_logs.cjs ENDPOINT json|protobuf
'use strict';
const api = require('@opentelemetry/api');
const { SeverityNumber } = require('@opentelemetry/api-logs');
const { LoggerProvider, SimpleLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { resourceFromAttributes } = require('@opentelemetry/resources');

async function main() {
  const [endpoint, protocol] = process.argv.slice(2);
  const { OTLPLogExporter } = protocol === 'protobuf'
    ? require('@opentelemetry/exporter-logs-otlp-proto')
    : require('@opentelemetry/exporter-logs-otlp-http');
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'js-logger' }),
    processors: [new SimpleLogRecordProcessor(new OTLPLogExporter({ url: endpoint }))],
  });
  const logger = provider.getLogger('interop-test', '1.0.0');
  const traceId = require('crypto').randomBytes(16).toString('hex');
  const spanId = require('crypto').randomBytes(8).toString('hex');
  const legacy = require('crypto').randomUUID();
  const context = api.trace.setSpanContext(api.ROOT_CONTEXT, { traceId, spanId, traceFlags: 1 });
  const time = Date.now() - 500;
  logger.emit({
    timestamp: new Date(time), severityNumber: SeverityNumber.ERROR, severityText: 'ERROR',
    body: 'payment declined', attributes: { 'order.id': 42, retry: true }, context,
  });
  logger.emit({
    timestamp: new Date(time + 1), severityNumber: SeverityNumber.INFO, body: 'legacy request',
    attributes: { x_trace_id: legacy }, context: api.ROOT_CONTEXT,
  });
  logger.emit({ timestamp: new Date(time + 2), severityNumber: SeverityNumber.INFO, body: 'no trace here',
    context: api.ROOT_CONTEXT });
  await provider.forceFlush();
  await provider.shutdown();
  process.stdout.write(JSON.stringify({
    trace_id: traceId, span_id: spanId, legacy_id: legacy,
    time_unix_nano: String(BigInt(time) * 1000000n),
  }) + '\n');
}

main().catch((error) => { console.error(error); process.exit(1); });
