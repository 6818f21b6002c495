// Browser tests of the web UI: a real `tracemesh collect` on loopback ports,
// real traces sent over OTLP/JSON, and Debian's chromium driven by
// playwright-core. Screenshots of every page are saved as test artifacts.
//
// Environment: TRACEMESH_BINARY (the tracemesh binary), UI_ARTIFACTS (a
// directory for screenshots), CHROMIUM (default /usr/bin/chromium).
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {chromium} from 'playwright-core';

const binary = process.env.TRACEMESH_BINARY;
const artifacts = process.env.UI_ARTIFACTS || join(tmpdir(), 'tracemesh-ui-artifacts');
const browserPath = process.env.CHROMIUM || '/usr/bin/chromium';
assert.ok(binary, 'TRACEMESH_BINARY must name the tracemesh binary');
mkdirSync(artifacts, {recursive: true});

const hex = (bytes) => randomBytes(bytes).toString('hex');
// A minute ago: the pages show the last hour by default.
const base = (BigInt(Date.now()) - 60_000n) * 1_000_000n;
const at = (ms) => String(base + BigInt(Math.round(ms * 1e6)));
const attribute = (key, value) => ({
  key,
  value: typeof value === 'number' ? {intValue: String(value)} : {stringValue: value},
});

function span(trace, id, parent, name, kind, start, end, attributes = []) {
  return {traceId: trace, spanId: id, parentSpanId: parent || '', name, kind,
    startTimeUnixNano: at(start), endTimeUnixNano: at(end), attributes};
}

function request(services) {
  return {resourceSpans: Object.entries(services).map(([service, spans]) => ({
    resource: {attributes: [attribute('service.name', service)]},
    scopeSpans: [{scope: {name: 'ui-test'}, spans}],
  }))};
}

// Three-service trace; with `brokenCallee`, rag-service starts its own trace.
function fleet(trace, brokenCallee) {
  const id = () => hex(8);
  const [root, call, agent, callRag, rag] = [id(), id(), id(), id(), id()];
  const ragSpan = span(brokenCallee || trace, rag, brokenCallee ? '' : callRag, 'POST /search', 2, 11, 79, [
    attribute('http.request.method', 'POST'), attribute('url.path', '/search'), attribute('server.port', 9100),
    attribute('http.response.status_code', 200),
    ...(brokenCallee ? [attribute('tracemesh.propagation.format', 'none')] : [])]);
  return request({
    bot: [
      span(trace, root, '', 'POST /ask', 2, 0, 100, [attribute('http.request.method', 'POST')]),
      span(trace, call, root, 'POST', 3, 5, 90, [attribute('http.request.method', 'POST'),
        attribute('url.full', 'http://127.0.0.1:9000/run'), attribute('server.port', 9000)]),
      span(trace, id(), root, 'POST', 3, 2, 4, [attribute('http.request.method', 'POST'),
        attribute('server.address', 'payments.example'), attribute('server.port', 443)]),
    ],
    'agent-service': [
      span(trace, agent, call, 'POST /run', 2, 6, 89, [attribute('http.request.method', 'POST'), attribute('url.path', '/run')]),
      span(trace, callRag, agent, 'POST', 3, 10, 80, [attribute('http.request.method', 'POST'),
        attribute('url.full', 'http://127.0.0.1:9100/search'), attribute('server.address', '127.0.0.1'),
        attribute('server.port', 9100)]),
    ],
    'rag-service': [ragSpan],
  });
}

// bot calls audit-log, which starts a trace of its own that links the call:
// restarted on purpose (a trust boundary), not broken.
function restarted(trace, callee) {
  const [root, call] = [hex(8), hex(8)];
  const logged = span(callee, hex(8), '', 'POST /record', 2, 22, 30, [attribute('url.path', '/record'),
    attribute('server.port', 9200), attribute('tracemesh.propagation.format', 'tracecontext')]);
  logged.links = [{traceId: trace, spanId: call}];
  return request({
    bot: [
      span(trace, root, '', 'POST /ask', 2, 0, 40, [attribute('http.request.method', 'POST')]),
      span(trace, call, root, 'POST', 3, 20, 35, [attribute('http.request.method', 'POST'),
        attribute('url.full', 'http://127.0.0.1:9200/record'), attribute('server.port', 9200)]),
    ],
    'audit-log': [logged],
  });
}

const hostileName = '<img src=x onerror=alert(1)>';
const hostileValue = '<script>window.__pwned = 1</script>';

function hostile(trace) {
  return request({
    '<b>evil</b>': [span(trace, hex(8), '', hostileName, 2, 0, 5, [attribute('note', hostileValue)])],
  });
}

// Log records naming `trace`: agent-service's land on its span's row; billing
// sent no span, so it gets a log-only row of its own.
function traceLogs(trace) {
  const record = (ms, severity, body) => ({timeUnixNano: at(ms), severityText: severity,
    body: {stringValue: body}, traceId: trace});
  return {resourceLogs: [
    {resource: {attributes: [attribute('service.name', 'agent-service')]},
      scopeLogs: [{logRecords: [record(30, 'INFO', 'enriching the question')]}]},
    {resource: {attributes: [attribute('service.name', 'billing')]},
      scopeLogs: [{logRecords: [record(40, 'INFO', 'charging'), record(60, 'ERROR', 'card declined')]}]},
  ]};
}

async function startCollector(directory, extra = []) {
  const child = spawn(binary, ['collect', '--otlp-listen', '127.0.0.1:0', '--otlp-grpc-listen', '127.0.0.1:0', '--http-listen', '127.0.0.1:0',
    '--data', join(directory, 'data'), '--grace', '300ms', '--format', 'json', ...extra], {stdio: ['ignore', 'pipe', 'inherit']});
  const lines = createInterface({input: child.stdout});
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the collector did not start in 20 s')), 20000);
    lines.once('line', (line) => { clearTimeout(timer); resolve(line); });
    child.once('exit', (code) => reject(new Error(`the collector exited with ${code}`)));
  });
  const started = JSON.parse(first);
  return {child, otlp: started.otlp, http: started.http};
}

async function post(url, body) {
  const response = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body)});
  assert.equal(response.status, 200, await response.text());
}

async function settled(http, trace) {
  for (let i = 0; i < 300; i++) {
    const response = await fetch(`${http}/api/traces/${trace}`);
    if (response.status === 200 && (await response.json()).verdict.state === 'settled') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`trace ${trace} did not settle`);
}

const failures = [];
async function step(name, body) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (error) {
    failures.push(name);
    console.log(`FAIL ${name}\n${error.stack || error}`);
  }
}

// The repository behind the fleet above, for the propagation map: agent-service
// calls rag-service with a plain httpx client (agent/app.py:10, no trace header).
function writeRepository(root) {
  const files = {
    'docker-compose.yml': 'services:\n  agent-service:\n    build: ./agent\n  rag-service:\n    build: ./rag\n',
    'agent/app.py': 'import httpx\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post("/run")\n' +
      'async def run():\n    async with httpx.AsyncClient() as client:\n' +
      '        return (await client.post("http://rag-service:9100/search")).json()\n',
    'rag/app.py': 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post("/search")\nasync def search():\n    return {}\n',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, '..'), {recursive: true});
    writeFileSync(join(root, name), text);
  }
  return root;
}

const directory = mkdtempSync(join(tmpdir(), 'tracemesh-ui-'));
const collector = await startCollector(directory, ['--repo', writeRepository(join(directory, 'repo'))]);
let browser;
try {
  const connected = hex(16);
  const broken = hex(16);
  const callee = hex(16);
  const evil = hex(16);
  const linked = hex(16);
  const linking = hex(16);
  await post(collector.otlp, fleet(connected));
  await post(collector.otlp, fleet(broken, callee));
  await post(collector.otlp, hostile(evil));
  await post(collector.otlp, restarted(linked, linking));
  await post(collector.otlp.replace('/v1/traces', '/v1/logs'), traceLogs(connected));
  const logsOnly = hex(16);
  const onlyLogs = traceLogs(logsOnly);
  onlyLogs.resourceLogs.shift();  // billing's two lines alone
  await post(collector.otlp.replace('/v1/traces', '/v1/logs'), onlyLogs);
  for (const trace of [connected, broken, callee, evil, linked, linking]) await settled(collector.http, trace);

  browser = await chromium.launch({executablePath: browserPath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']});
  const page = await browser.newPage({viewport: {width: 1440, height: 900}});
  const dialogs = [];
  const errors = [];
  page.on('dialog', async (dialog) => { dialogs.push(dialog.message()); await dialog.dismiss(); });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  const open = async (hash, ready) => {
    await page.goto(`${collector.http}/${hash}`);
    // The page this hash rendered (a hash change does not reload the document).
    await page.waitForSelector(`.page[data-hash="${hash}"]:not([aria-busy]) ${ready}`, {timeout: 15000});
  };
  const shot = (name) => page.screenshot({path: join(artifacts, `${name}.png`), fullPage: true});

  await step('the pages are served with a strict content security policy', async () => {
    const response = await page.goto(`${collector.http}/`);
    const headers = response.headers();
    assert.match(headers['content-security-policy'], /default-src 'none'; script-src 'self'; style-src 'self'/);
    assert.equal(headers['x-content-type-options'], 'nosniff');
    assert.match(headers['content-type'], /^text\/html; charset=utf-8/);
  });

  await step('search page lists every trace with its integrity badge', async () => {
    await open('#/', '#trace-list');
    const rows = page.locator('#trace-list tbody tr');
    assert.equal(await rows.count(), 6);
    const badge = (trace) => page.locator(`tr[data-trace-id="${trace}"] .badge`).getAttribute('data-integrity');
    assert.equal(await badge(connected), 'connected');
    assert.equal(await badge(broken), 'broken_hop');
    assert.equal(await badge(linked), 'connected');  // its restarted hop is no failure
    assert.equal(await page.locator(`tr[data-trace-id="${connected}"] td`).nth(1).textContent(), 'bot');
    await shot('search');
  });

  await step('search filters by integrity and service', async () => {
    await page.selectOption('select[name=integrity]', 'broken_hop');
    await page.click('form.filters button[type=submit]');
    await page.waitForSelector('.page[data-hash*="integrity=broken_hop"]:not([aria-busy]) #trace-list');
    assert.deepEqual(await page.locator('#trace-list tbody tr').evaluateAll((rows) => rows.map((row) => row.dataset.traceId)), [broken]);
    await open('#/?service=rag-service&lookback=', '#trace-list');
    const ids = await page.locator('#trace-list tbody tr').evaluateAll((rows) => rows.map((row) => row.dataset.traceId));
    assert.deepEqual(ids.sort(), [connected, callee].sort());
  });

  await step('trace page draws the waterfall in tree order on one time axis', async () => {
    await open(`#/trace/${connected}`, '.waterfall');
    const rows = page.locator('.waterfall .span-row');
    assert.equal(await rows.count(), 6);
    const services = await rows.evaluateAll((items) => items.map((item) => `${item.dataset.depth}:${item.dataset.service}`));
    assert.deepEqual(services, ['0:bot', '1:bot', '1:bot', '2:agent-service', '3:agent-service', '4:rag-service']);
    const root = await page.locator('.waterfall .span-row .bar').first().evaluate((bar) => parseFloat(bar.style.width));
    assert.equal(root, 100);
    assert.equal(await page.locator('.waterfall .hop-row').count(), 0);
    assert.equal(await page.locator('.summary .badge').getAttribute('data-integrity'), 'connected');
    await shot('trace-connected');
  });

  await step('log lines are drawn on their span and as a row for a service with no span', async () => {
    await open(`#/trace/${connected}`, '.waterfall');
    const logRow = page.locator('.waterfall .log-row');
    assert.equal(await logRow.count(), 1);
    assert.equal(await logRow.getAttribute('data-service'), 'billing');
    assert.equal(await logRow.locator('.log-tick').count(), 2);
    assert.equal(await logRow.locator('.log-tick.severity-error').count(), 1);
    const agent = page.locator('.waterfall .span-row[data-service="agent-service"][data-depth="2"]');
    assert.equal(await agent.locator('.log-tick').count(), 1);
    assert.match(await page.locator('.summary').textContent(), /3 log lines/);
    assert.match(await page.locator('.trace-logs').textContent(), /billing ERROR card declined/);
    await agent.click();
    assert.match(await page.locator('.detail .logs').textContent(), /enriching the question/);
    await shot('trace-logs');
    // An id only logs name: its lines, not an error page. (The browser logs the
    // trace endpoint's 404 on its console: expected here, so not kept.)
    const before = errors.length;
    await open(`#/trace/${logsOnly}`, '.trace-logs');
    assert.match(await page.locator('.summary').textContent(), /No span of this trace is stored; 2 log line\(s\) name it, from billing/);
    assert.deepEqual(errors.splice(before), ['Failed to load resource: the server responded with a status of 404 (Not Found)']);
  });

  await step('the skip link moves focus to the content and stays on the page', async () => {
    await open(`#/trace/${connected}`, '.waterfall');
    await page.focus('.skip');
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'main');
    assert.equal(await page.evaluate(() => location.hash), `#/trace/${connected}`);
  });

  await step('keyboard moves through the spans and the side panel follows', async () => {
    await page.locator('.waterfall .span-row').first().focus();
    await page.keyboard.press('ArrowDown');
    const selected = page.locator('.waterfall .span-row[aria-current=true]');
    assert.equal(await selected.count(), 1);
    assert.equal(await selected.getAttribute('data-depth'), '1');
    await page.keyboard.press('End');
    assert.equal(await page.locator('#detail-title').textContent(), 'POST /search');
    assert.match(await page.locator('.detail .attributes').first().textContent(), /http\.response\.status_code200/);
  });

  await step('a broken hop is drawn under the client span, linking the callee trace', async () => {
    await open(`#/trace/${broken}`, '.waterfall');
    const hop = page.locator('.waterfall .hop-row');
    assert.equal(await hop.count(), 1);
    const text = await hop.textContent();
    assert.match(text, /rag-service/);
    assert.match(text, /agent-service did not inject the context/);
    const flagged = page.locator('.waterfall .span-row.flagged');
    assert.equal(await flagged.getAttribute('data-service'), 'agent-service');
    assert.match(await flagged.getAttribute('data-marks'), /broken_hop/);
    assert.equal(await page.locator('.summary .badge').getAttribute('data-integrity'), 'broken_hop');
    await shot('trace-broken');
    await hop.locator('a').click();
    await page.waitForSelector(`.page[data-hash="#/trace/${callee}"]:not([aria-busy]) .waterfall`);
    assert.equal(await page.locator('.waterfall .span-row').first().getAttribute('data-service'), 'rag-service');
  });

  await step('service graph shows each edge with its propagation health', async () => {
    await open('#/graph', '#edge-table');
    const state = (edge) => page.locator(`#edge-table tr[data-edge="${edge}"]`).getAttribute('data-state');
    assert.equal(await state('bot->agent-service'), 'healthy');
    assert.equal(await state('agent-service->rag-service'), 'broken');
    const peer = await page.locator('#edge-table tr[data-state=uninstrumented]').first().getAttribute('data-edge');
    assert.match(peer, /^bot->payments\.example/);
    assert.equal(await page.locator('svg.graph .node-uninstrumented').count(), 1);
    assert.equal(await page.locator('svg.graph g.edge[data-state=broken]').count(), 1);
    // A restarted edge is drawn apart from connected and from broken.
    assert.equal(await state('bot->audit-log'), 'restarted');
    assert.equal(await page.locator('svg.graph g.edge[data-state=restarted]').count(), 1);
    assert.match(await page.locator('#edge-table tr[data-edge="bot->audit-log"]').textContent(), /new trace on purpose/);
    assert.match(await page.locator('#graph-summary').textContent(), /cross-service calls traced: 4\/5/);
    assert.equal(await page.locator('svg.graph g.node[data-node="<b>evil</b>"] text').textContent(), '<b>evil</b>');
    assert.equal(await page.locator('svg.graph b, main b').count(), 0);
    await shot('graph');
  });

  await step('the propagation map names the broken edge and the call site to fix', async () => {
    await open('#/graph', '#map-table');
    const row = page.locator('#map-table tr[data-edge="agent-service->rag-service"]');
    assert.equal(await row.getAttribute('data-state'), 'broken_in_code');
    assert.equal(await row.locator('strong.blamed').textContent(), 'agent/app.py:10');
    assert.match(await page.locator('#map-coverage').textContent(), /Edges proven 0\/1 \(0\.0 %\)/);
    assert.equal(await page.locator('#map-table tr[data-edge="bot->agent-service"]').getAttribute('data-state'), 'unknown_to_code');
    await shot('map');
    // A report file: hostile strings are text; a file that is not a report says so.
    const report = {schema: 'tracemesh.map/v1', coverage: {edges_proven: 0, edges_judged: 1, percent: 0}, states: {broken_in_code: 1},
      edges: [{caller: hostileName, callee: 'b', protocol: 'http', method: 'GET', endpoint: '/x', state: 'broken_in_code',
        reason: hostileValue, runtime: {connected: 0, broken: {caller_did_not_inject: 2}},
        sites: [{file: '<i>x</i>.py', line: 3, propagation: 'no', blamed: true}]}]};
    await page.setInputFiles('#map-file', {name: 'map.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(report))});
    await page.waitForSelector('#map-coverage:has-text("from map.json")');
    assert.equal(await page.locator('#map-table strong.blamed').textContent(), '<i>x</i>.py:3');
    assert.equal(await page.locator('#map-table tbody tr td').nth(1).textContent(), hostileName);
    assert.equal(await page.locator('#map-table i, #map-table img, #map-table script').count(), 0);
    // A map report missing what the table reads is refused with a message, not a script error.
    await page.setInputFiles('#map-file', {name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({...report, edges: [{state: 'proven'}]}))});
    await page.waitForSelector('#map-body .error');
    await page.setInputFiles('#map-file', {name: 'map.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(report))});
    await page.waitForSelector('#map-table');
    await page.setInputFiles('#map-file', {name: 'other.json', mimeType: 'application/json', buffer: Buffer.from('{"schema":"tracemesh.audit/v1"}')});
    await page.waitForSelector('#map-body .error');
  });

  await step('span names and attributes are shown as text and run nothing', async () => {
    await open(`#/trace/${evil}`, '.waterfall');
    assert.equal(await page.locator('.waterfall .span-row .name').first().textContent(), hostileName);
    assert.equal(await page.locator('.waterfall .span-row .service').first().textContent(), '<b>evil</b>');
    assert.equal(await page.locator('main img').count(), 0);
    assert.equal(await page.locator('main b').count(), 0);
    assert.equal(await page.locator('main script').count(), 0);
    assert.match(await page.locator('.detail .attributes').textContent(), /<script>window\.__pwned = 1<\/script>/);
    await shot('hostile');
    await open('#/', '#trace-list');
    assert.equal(await page.locator('main img').count(), 0);
    assert.ok((await page.locator('select[name=service] option').allTextContents()).includes('<b>evil</b>'));
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(dialogs, []);
  });

  await step('the page raised no script errors', async () => {
    assert.deepEqual(errors, []);
  });

  // Last: the refused API calls are console errors of their own.
  await step('a collector with a query token asks for it once per session', async () => {
    const tokenFile = join(directory, 'query.token');
    writeFileSync(tokenFile, 's3cret\n');
    const guarded = await startCollector(join(directory, 'guarded'), ['--query-token-file', tokenFile]);
    try {
      await page.goto(`${guarded.http}/#/`);
      await page.waitForSelector('.page:not([aria-busy]) input[name=token]');
      await page.fill('input[name=token]', 'wrong');
      await page.press('input[name=token]', 'Enter');
      await page.waitForSelector('.page:not([aria-busy]) #token-refused');
      await page.fill('input[name=token]', 's3cret');
      await page.press('input[name=token]', 'Enter');
      await page.waitForSelector('.page:not([aria-busy]) #no-traces');
      await shot('token');
      // Kept for the session: the next page does not ask again.
      await page.goto(`${guarded.http}/#/graph`);
      await page.waitForSelector('.page[data-hash="#/graph"]:not([aria-busy]) #graph-summary');
    } finally {
      guarded.child.kill('SIGTERM');
    }
  });
} finally {
  if (browser) await browser.close();
  collector.child.kill('SIGTERM');
  if (failures.length === 0) rmSync(directory, {recursive: true, force: true});
}
console.log(failures.length === 0 ? 'all UI checks passed' : `${failures.length} UI check(s) failed: ${failures.join('; ')}`);
console.log(`screenshots: ${artifacts}`);
process.exit(failures.length === 0 ? 0 : 1);
