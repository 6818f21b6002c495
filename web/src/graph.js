// The service graph: services as nodes, uninstrumented peers drawn as such,
// and each edge with its calls, p95 latency, error share and propagation
// health (colour and words). A table below holds the same facts for
// keyboards and screen readers.
import {get, query} from './api.js';
import {h, s} from './dom.js';
import {nowNanos, parseDuration, percent} from './format.js';

const lookbacks = [['15m', 'last 15 minutes'], ['1h', 'last hour'], ['6h', 'last 6 hours'], ['24h', 'last 24 hours'], ['168h', 'last 7 days']];

export function healthState(edge) {
  if (!edge.callee_instrumented) return 'uninstrumented';
  const health = Number(edge.propagation_health);
  if (health >= 0.9995) return 'healthy';
  if (health >= 0.9) return 'degraded';
  return 'broken';
}

const stateWords = {healthy: 'all connected', degraded: 'some calls lose the trace', broken: 'calls lose the trace', uninstrumented: 'no spans from the callee'};

// Columns by the longest call chain that reaches a node; rows in order.
function layout(nodes, edges) {
  const depth = new Map(nodes.map((node) => [node, 0]));
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const edge of edges) {
      if (edge.caller === edge.callee) continue;
      const next = depth.get(edge.caller) + 1;
      if (next > depth.get(edge.callee) && next < nodes.length) {
        depth.set(edge.callee, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = [];
  for (const node of nodes) {
    const column = depth.get(node);
    (columns[column] ||= []).push(node);
  }
  const position = new Map();
  columns.forEach((column, x) => (column || []).forEach((node, y) => position.set(node, {x: 30 + x * 340, y: 30 + y * 100})));
  return {position, width: 30 + columns.length * 340 - 140, height: 30 + Math.max(1, ...columns.map((c) => (c || []).length)) * 100};
}

export async function renderGraph(main, params, navigate) {
  const lookback = params.get('lookback') || '1h';
  const lookbackNanos = parseDuration(lookback) ?? 3600000000000n;
  const end = nowNanos();
  const graph = await get(`/api/graph${query({start: String(end - lookbackNanos), end: String(end)})}`);
  const peers = new Set(graph.uninstrumented_peers);
  const nodes = [...graph.services, ...graph.uninstrumented_peers];
  const {position, width, height} = layout(nodes, graph.edges);
  const nodeWidth = 170;
  const nodeHeight = 44;

  const svgWidth = Math.max(width, 400);
  const svgHeight = Math.max(height, 120);
  const svg = s('svg', {class: 'graph', width: svgWidth, height: svgHeight, viewBox: `0 0 ${svgWidth} ${svgHeight}`, role: 'img',
    'aria-label': `Service graph: ${nodes.length} services, ${graph.edges.length} edges`},
  s('defs', {}, ['healthy', 'degraded', 'broken', 'uninstrumented'].map((state) =>
    s('marker', {id: `arrow-${state}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 9, markerHeight: 9,
      markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse'},
      s('path', {d: 'M 0 0 L 10 5 L 0 10 z', class: `arrow-${state}`})))));
  graph.edges.forEach((edge, index) => {
    const from = position.get(edge.caller);
    const to = position.get(edge.callee);
    if (!from || !to) return;
    const state = healthState(edge);
    const x1 = from.x + nodeWidth;
    const y1 = from.y + nodeHeight / 2 + (index % 3 - 1) * 6;
    const x2 = to.x;
    const y2 = to.y + nodeHeight / 2;
    const bend = Math.max(40, Math.abs(x2 - x1) / 2);
    svg.append(s('g', {class: `edge edge-${state}`, 'data-edge': `${edge.caller}->${edge.callee}`, 'data-state': state},
      s('path', {d: `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`, 'marker-end': `url(#arrow-${state})`}),
      s('text', {x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 6, 'text-anchor': 'middle', class: 'edge-label'},
        `${edge.calls} calls · p95 ${edge.p95_ms}ms · ${percent(edge.calls ? edge.errors / edge.calls : 0)} errors`),
      s('text', {x: (x1 + x2) / 2, y: (y1 + y2) / 2 + 10, 'text-anchor': 'middle', class: 'edge-label'},
        edge.callee_instrumented ? `${percent(edge.propagation_health)} traced` : 'callee sends no spans')));
  });
  for (const node of nodes) {
    const at = position.get(node);
    const uninstrumented = peers.has(node);
    svg.append(s('g', {class: `node${uninstrumented ? ' node-uninstrumented' : ''}`, 'data-node': node},
      s('rect', {x: at.x, y: at.y, width: nodeWidth, height: nodeHeight, rx: 6}),
      s('text', {x: at.x + nodeWidth / 2, y: at.y + (uninstrumented ? 19 : 27), 'text-anchor': 'middle'}, node.length > 24 ? `${node.slice(0, 23)}…` : node),
      uninstrumented ? s('text', {x: at.x + nodeWidth / 2, y: at.y + 35, 'text-anchor': 'middle', class: 'node-note'}, 'uninstrumented') : null));
  }

  const form = h('form', {class: 'filters', 'aria-label': 'Graph window'},
    h('label', {class: 'field'}, h('span', {}, 'Window'),
      h('select', {name: 'lookback', onchange: (event) => navigate(`#/graph?lookback=${encodeURIComponent(event.target.value)}`)},
        lookbacks.map(([value, text]) => h('option', {value, selected: value === lookback}, text)))));
  const summary = graph.summary;
  main.append(
    h('h1', {}, 'Service graph'),
    form,
    h('p', {class: 'summary', id: 'graph-summary'},
      `Services with tracing: ${summary.services_with_tracing}/${summary.services_total} · `,
      `cross-service calls traced: ${summary.cross_service_calls_connected}/${summary.cross_service_calls}`,
      summary.cross_service_calls ? ` (${Number(summary.cross_service_calls_traced_percent).toFixed(1)}%)` : ''),
    nodes.length === 0 ? h('p', {class: 'muted'}, 'No spans in this window.') : h('div', {class: 'graph-box'}, svg),
    h('p', {class: 'legend'}, ['healthy', 'degraded', 'broken', 'uninstrumented'].map((state) =>
      h('span', {class: `legend-item edge-${state}`}, h('span', {class: 'legend-line', 'aria-hidden': 'true'}), stateWords[state]))),
    h('table', {class: 'edges', id: 'edge-table'},
      h('caption', {}, 'Edges'),
      h('thead', {}, h('tr', {}, ['Caller', 'Callee', 'Protocol', 'Calls', 'Connected', 'Broken', 'Errors', 'p50', 'p95', 'Propagation health']
        .map((title) => h('th', {scope: 'col'}, title)))),
      h('tbody', {}, graph.edges.map((edge) => {
        const state = healthState(edge);
        return h('tr', {'data-edge': `${edge.caller}->${edge.callee}`, 'data-state': state},
          h('td', {}, edge.caller), h('td', {}, edge.callee, peers.has(edge.callee) ? h('span', {class: 'muted'}, ' (uninstrumented)') : ''),
          h('td', {}, edge.protocol), h('td', {class: 'number'}, String(edge.calls)),
          h('td', {class: 'number'}, String(edge.connected)), h('td', {class: 'number'}, String(edge.broken)),
          h('td', {class: 'number'}, String(edge.errors)), h('td', {class: 'number'}, `${edge.p50_ms}ms`),
          h('td', {class: 'number'}, `${edge.p95_ms}ms`),
          h('td', {}, h('span', {class: `health health-${state}`}, edge.callee_instrumented ? percent(edge.propagation_health) : 'n/a', ' — ', stateWords[state])));
      }))));
}
