// Make one unary gRPC call with the official gRPC JS client (@grpc/grpc-js,
// the OpenTelemetry JS gRPC exporter's transport) and print its outcome as
// JSON: the status code and message, the RetryInfo delay carried in
// grpc-status-details-bin, and the ExportTraceServiceResponse's partial success.
// Usage: node grpc_call.cjs HOST:PORT METHOD_PATH BODY_FILE [gzip|deflate|identity] [TOKEN]
// With CANCEL=1, each call is cancelled as soon as it is sent (its line says code 1).
// With CONNECTIONS=N and CALLS=M in the environment: M calls on each of N
// connections at once, one line per call; the calls of a connection one after
// the other, or all at once (multiplexed on it) with PARALLEL=1.
'use strict';
const fs = require('fs');
const grpc = require('@grpc/grpc-js');

// The fields of a protobuf message: [{field, value}] (varints as Number, bytes as Buffer).
function fields(buffer) {
  const out = [];
  let at = 0;
  const varint = () => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buffer[at++];
      value |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const wire = key & 7;
    if (wire === 0) {
      out.push({ field: key >> 3, value: Number(varint()) });
    } else if (wire === 2) {
      const length = Number(varint());
      out.push({ field: key >> 3, value: buffer.subarray(at, at + length) });
      at += length;
    } else if (wire === 1 || wire === 5) {
      at += wire === 1 ? 8 : 4;
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
  }
  return out;
}
const first = (list, field) => (list.find((entry) => entry.field === field) || {}).value;

// google.rpc.Status → its google.rpc.RetryInfo's delay in seconds (null when absent).
function retrySeconds(details) {
  for (const any of fields(details).filter((entry) => entry.field === 3)) {
    const parts = fields(any.value);
    if (String(first(parts, 1)) !== 'type.googleapis.com/google.rpc.RetryInfo') continue;
    const delay = first(fields(first(parts, 2)), 1);
    return delay ? (first(fields(delay), 1) || 0) : 0;
  }
  return null;
}

const [address, method, bodyFile, compression = 'identity', token] = process.argv.slice(2);
const body = fs.readFileSync(bodyFile);
const connections = Number(process.env.CONNECTIONS || 1);
const calls = Number(process.env.CALLS || 1);
const parallel = process.env.PARALLEL === '1';
const metadata = new grpc.Metadata();
if (token) metadata.set('authorization', `Bearer ${token}`);
const identity = (buffer) => buffer;

function call(client) {
  return new Promise((resolve) => {
    const pending = client.makeUnaryRequest(method, identity, identity, body, metadata,
      { deadline: Date.now() + 30000 }, (error, response) => {
        const result = { code: 0, message: '', retry_seconds: null, rejected: null, error_message: null };
        if (error) {
          result.code = error.code;
          result.message = error.details;
          const details = error.metadata && error.metadata.get('grpc-status-details-bin')[0];
          if (details) result.retry_seconds = retrySeconds(details);
        } else {
          const partial = first(fields(response), 1);
          if (partial) {
            const parts = fields(partial);
            result.rejected = first(parts, 1) || 0;
            result.error_message = String(first(parts, 2) || '');
          }
        }
        process.stdout.write(JSON.stringify(result) + '\n');
        resolve();
      });
    if (process.env.CANCEL === '1') setImmediate(() => pending.cancel());
  });
}

async function main() {
  const options = { 'grpc.use_local_subchannel_pool': 1 };  // a connection per client
  // grpc-js's compression algorithms: 1 deflate, 2 gzip.
  if (compression === 'gzip') options['grpc.default_compression_algorithm'] = 2;
  if (compression === 'deflate') options['grpc.default_compression_algorithm'] = 1;
  await Promise.all(Array.from({ length: connections }, async () => {
    const client = new grpc.Client(address, grpc.credentials.createInsecure(), options);
    if (parallel) {
      await Promise.all(Array.from({ length: calls }, () => call(client)));
    } else {
      for (let i = 0; i < calls; ++i) await call(client);
    }
    client.close();
  }));
}

main().catch((error) => { console.error(error); process.exit(1); });
