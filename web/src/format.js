// Numbers as people read them.

// Nanoseconds (number or decimal string) to "850ns", "12.3µs", "182.4ms", "2.35s", "3m 20s".
export function duration(nanos) {
  const n = Number(nanos);
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1e3) return `${n}ns`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)}µs`;
  if (n < 1e9) return `${(n / 1e6).toFixed(1)}ms`;
  if (n < 60e9) return `${(n / 1e9).toFixed(2)}s`;
  const seconds = Math.floor(n / 1e9);
  return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
}

// Unix nanoseconds to a local date and time with milliseconds.
export function time(unixNanos) {
  const millis = Number(BigInt(unixNanos) / 1000000n);
  const date = new Date(millis);
  if (Number.isNaN(date.getTime())) return '?';
  const pad = (value, width = 2) => String(value).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

// "250ms", "1.5s", "2m", "1h" to nanoseconds (BigInt), or null.
export function parseDuration(text) {
  const match = /^\s*(\d+(?:\.\d{1,9})?)\s*(ns|us|µs|ms|s|m|h)\s*$/.exec(text || '');
  if (!match) return null;
  const scale = {ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9}[match[2]];
  return BigInt(Math.round(Number(match[1]) * scale));
}

export function nowNanos() {
  return BigInt(Date.now()) * 1000000n;
}

export function percent(share) {
  const value = Number(share);
  if (!Number.isFinite(value)) return '?';
  return `${Math.round(value * 1000) / 10}%`;
}

// A stable colour per service name.
export function serviceColor(name) {
  let hash = 2166136261;
  for (const char of String(name)) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return `hsl(${hash % 360}, 60%, 45%)`;
}

export const integrityLabels = {
  connected: 'connected',
  broken_hop: 'broken hop',
  orphans: 'orphans',
  multiple_roots: 'multiple roots',
  arriving: 'still arriving',
};
