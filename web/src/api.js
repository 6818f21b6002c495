// The collector's query API, with the optional bearer token kept for the
// browser session.

const TOKEN_KEY = 'tracemesh.query-token';

export class NeedsToken extends Error {
  constructor(message, refused) {
    super(message);
    this.refused = refused;  // a token was sent and the collector refused it
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Nanosecond timestamps exceed what a JSON number keeps exactly in
// JavaScript (2^53): read them as strings, for BigInt.
function parseExact(text) {
  return JSON.parse(text.replace(/"([a-z_]*(?:unix_nano|_nanos))":(\d{16,})/g, '"$1":"$2"'));
}

export async function get(path) {
  const headers = {Accept: 'application/json'};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    if (!/^[\x21-\x7e]+$/.test(token)) {
      setToken('');
      throw new NeedsToken('that token holds characters an HTTP header cannot carry', true);
    }
    headers.Authorization = `Bearer ${token}`;
  }
  const response = await fetch(path, {headers});
  if (response.status === 401) {
    if (token) setToken('');
    throw new NeedsToken('the collector wants its query token', Boolean(token));
  }
  let body = null;
  try {
    body = parseExact(await response.text());
  } catch {
    throw new ApiError(response.status, `the collector answered ${response.status} with no JSON`);
  }
  if (!response.ok) throw new ApiError(response.status, body && body.error ? body.error : `HTTP ${response.status}`);
  return body;
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) value.forEach((item) => search.append(key, item));
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export function isTraceId(text) {
  return /^[0-9a-f]{32}$/.test(text);
}
