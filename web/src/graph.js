// The service graph: services as nodes, uninstrumented peers drawn as such,
// and each edge with its calls, p95 latency, error share and propagation
// health (colour and words). A table below holds the same facts for
// keyboards and screen readers.
import {get, query} from './api.js';
import {h, s} from './dom.js';
import {duration, parseDuration, percent} from './format.js';
import {mapSection} from './map.js';

const lookbacks = [['15m', 'last 15 minutes'], ['1h', 'last hour'], ['6h', 'last 6 hours'], ['24h', 'last 24 hours'], ['168h', 'last 7 days']];

export function healthState(edge) {
  if (!edge.callee_instrumented) return 'uninstrumented';
  if (Number(edge.broken) === 0) {
    // Not failures, but not one trace either: shown apart from connected.
    if (Number(edge.connected) === 0 && Number(edge.restarted) > 0) return 'restarted';
    if (Number(edge.connected) === 0 && Number(edge.unsampled) > 0) return 'unsampled';
    if (Number(edge.connected) === 0 && Number(edge.logged) > 0) return 'logged';
    return 'healthy';  // green only when no call lost the trace
  }
  return Number(edge.propagation_health) >= 0.9 ? 'degraded' : 'broken';
}

// A latency the API gives in milliseconds, shown as the trace page shows durations.
const milliseconds = (ms) => duration(Math.round(Number(ms) * 1e6));

const stateWords = {
  healthy: 'all connected', degraded: 'some calls lose the trace', broken: 'calls lose the trace',
  restarted: 'new trace on purpose (linked)', unsampled: 'sent unsampled: no span due',
  uninstrumented: 'no spans from the callee',
  logged: 'the callee logged the trace id (no spans)',
};
const states = ['healthy', 'degraded', 'broken', 'restarted', 'unsampled', 'logged', 'uninstrumented'];

const top = 70;
// A node is 170 wide: 110 between columns, so five columns fit the page.
const columnWidth = 280;

// Columns by the longest call chain that reaches a node, over the edges
// that remain once a depth-first search drops those closing a cycle; empty
// columns are squeezed out.
function layout(nodes, edges) {
  const out = new Map(nodes.map((node) => [node, []]));
  for (const edge of edges) {
    if (edge.caller !== edge.callee && out.has(edge.caller) && out.has(edge.callee)) out.get(edge.caller).push(edge.callee);
  }
  const state = new Map();  // 1: on the DFS path, 2: done
  const forward = [];
  for (const start of nodes) {
    if (state.has(start)) continue;
    const stack = [[start, 0]];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const targets = out.get(top[0]);
      if (top[1] === targets.length) {
        state.set(top[0], 2);
        stack.pop();
        continue;
      }
      const next = targets[top[1]++];
      if (state.get(next) === 1) continue;  // closes a cycle: not used for layout
      forward.push([top[0], next]);
      if (!state.has(next)) {
        state.set(next, 1);
        stack.push([next, 0]);
      }
    }
  }
  const depth = new Map(nodes.map((node) => [node, 0]));
  for (let round = 0; round < nodes.length; round++) {
    let changed = false;
    for (const [from, to] of forward) {
      if (depth.get(from) + 1 > depth.get(to)) {
        depth.set(to, depth.get(from) + 1);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const sparse = [];
  for (const node of nodes) (sparse[depth.get(node)] ||= []).push(node);
  const columns = sparse.filter((column) => column && column.length);
  const position = new Map();
  // The top margin leaves room for edges that arc over the nodes between their ends.
  columns.forEach((column, x) => (column || []).forEach((node, y) => position.set(node, {x: 30 + x * columnWidth, y: top + y * 100})));
  return {position, width: 30 + (columns.length - 1) * columnWidth + 170 + 30, height: top + Math.max(1, ...columns.map((c) => (c || []).length)) * 100};
}

export async function renderGraph(main, params, navigate) {
  const lookback = parseDuration(params.get('lookback')) === null ? '1h' : params.get('lookback');
  // The collector's clock sets the window, not the browser's.
  const graph = await get(`/api/graph${query({lookback})}`);
  const peers = new Set(graph.uninstrumented_peers);
  const logOnly = new Set(graph.log_only_services || []);
  const nodes = [...graph.services, ...logOnly, ...graph.uninstrumented_peers];
  const {position, width, height} = layout(nodes, graph.edges);
  const nodeWidth = 170;
  const nodeHeight = 44;

  const svgWidth = Math.max(width, 400);
  const svgHeight = Math.max(height, 120);
  const svg = s('svg', {class: 'graph', width: svgWidth, height: svgHeight, viewBox: `0 0 ${svgWidth} ${svgHeight}`, role: 'img',
    'aria-label': `Service graph: ${nodes.length} services, ${graph.edges.length} edges`},
  s('defs', {}, states.map((state) =>
    s('marker', {id: `arrow-${state}`, viewBox: '0 0 10 10', refX: 10, refY: 5, markerWidth: 9, markerHeight: 9,
      markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse'},
      s('path', {d: 'M 0 0 L 10 5 L 0 10 z', class: `arrow-${state}`})))));
  graph.edges.forEach((edge, index) => {
    const from = position.get(edge.caller);
    const to = position.get(edge.callee);
    if (!from || !to) return;
    const state = healthState(edge);
    let d;
    let labelX;
    let labelY;
    if (edge.caller === edge.callee) {
      // A service calling itself: a loop above its node.
      const x = from.x + nodeWidth / 2;
      d = `M ${x - 20} ${from.y} C ${x - 40} ${from.y - 46}, ${x + 40} ${from.y - 46}, ${x + 20} ${from.y}`;
      labelX = x;
      labelY = from.y - 44;
    } else if (to.x - from.x > columnWidth) {
      // Past the next column: arc over the nodes in between rather than through them.
      const x1 = from.x + nodeWidth;
      const y1 = from.y + nodeHeight / 2;
      const x2 = to.x;
      const y2 = to.y + nodeHeight / 2;
      const over = top - 56 + (index % 3) * 8;
      d = `M ${x1} ${y1} C ${x1 + 80} ${over}, ${x2 - 80} ${over}, ${x2} ${y2}`;
      // On the curve three quarters along, where arcs to different callees part.
      const at = (a, b, c, e) => 0.015625 * a + 0.140625 * b + 0.421875 * c + 0.421875 * e;
      labelX = at(x1, x1 + 80, x2 - 80, x2);
      labelY = at(y1, over, over, y2) - 4;
    } else if (to.x > from.x) {
      const x1 = from.x + nodeWidth;
      const y1 = from.y + nodeHeight / 2 + (index % 3 - 1) * 6;
      const x2 = to.x;
      const y2 = to.y + nodeHeight / 2;
      const bend = Math.max(40, (x2 - x1) / 2);
      d = `M ${x1} ${y1} C ${x1 + bend} ${y1}, ${x2 - bend} ${y2}, ${x2} ${y2}`;
      labelX = (x1 + x2) / 2;
      labelY = (y1 + y2) / 2 - 6;
    } else {
      // Back along a cycle: under the nodes, from bottom to bottom.
      const x1 = from.x + nodeWidth / 2;
      const x2 = to.x + nodeWidth / 2;
      const low = Math.max(from.y, to.y) + nodeHeight + 36;
      d = `M ${x1} ${from.y + nodeHeight} C ${x1} ${low}, ${x2} ${low}, ${x2} ${to.y + nodeHeight}`;
      labelX = (x1 + x2) / 2;
      labelY = low + 4;
    }
    svg.append(s('g', {class: `edge edge-${state}`, 'data-edge': `${edge.caller}->${edge.callee}`, 'data-state': state},
      // The full facts on hover and in the table below.
      s('title', {}, `${edge.caller} → ${edge.callee} (${edge.protocol}): ${edge.calls} calls, p95 ${milliseconds(edge.p95_ms)}, `
        + `${percent(edge.calls ? edge.errors / edge.calls : 0)} errors, `
        + (edge.callee_instrumented ? `${percent(edge.propagation_health)} traced` : 'callee sends no spans')),
      s('path', {d, 'marker-end': `url(#arrow-${state})`}),
      // Green needs no words (the legend says it); an edge that loses the trace says how much.
      state === 'healthy' ? null : s('text', {x: labelX, y: labelY, 'text-anchor': 'middle', class: 'edge-label'},
        edge.callee_instrumented ? `${percent(edge.propagation_health)} traced` : 'no spans')));
  });
  for (const node of nodes) {
    const at = position.get(node);
    const uninstrumented = peers.has(node);
    const note = uninstrumented ? 'uninstrumented' : logOnly.has(node) ? 'logs only' : null;
    svg.append(s('g', {class: `node${uninstrumented ? ' node-uninstrumented' : ''}`, 'data-node': node},
      s('rect', {x: at.x, y: at.y, width: nodeWidth, height: nodeHeight, rx: 6}),
      s('text', {x: at.x + nodeWidth / 2, y: at.y + (note ? 19 : 27), 'text-anchor': 'middle'}, node.length > 24 ? `${node.slice(0, 23)}…` : node),
      note ? s('text', {x: at.x + nodeWidth / 2, y: at.y + 35, 'text-anchor': 'middle', class: 'node-note'}, note) : null));
  }

  const choices = lookbacks.some(([value]) => value === lookback) ? lookbacks : [...lookbacks, [lookback, `last ${lookback}`]];
  const windowSelect = h('select', {name: 'lookback'}, choices.map(([value, text]) => h('option', {value, selected: value === lookback}, text)));
  const form = h('form', {class: 'filters', 'aria-label': 'Graph window', onsubmit: (event) => {
    event.preventDefault();
    navigate(`#/graph?lookback=${encodeURIComponent(windowSelect.value)}`);
  }}, h('label', {class: 'field'}, h('span', {}, 'Window'), windowSelect), h('button', {type: 'submit'}, 'Show'));
  const summary = graph.summary;
  main.append(
    h('h1', {}, 'Service graph'),
    form,
    h('p', {class: 'summary', id: 'graph-summary'},
      `Services with tracing: ${summary.services_with_tracing}/${summary.services_total} · `,
      `cross-service calls traced: ${summary.cross_service_calls_connected}/${summary.cross_service_calls}`,
      summary.cross_service_calls ? ` (${Number(summary.cross_service_calls_traced_percent).toFixed(1)}%)` : ''),
    nodes.length === 0 ? h('p', {class: 'muted'}, 'No spans in this window.') : h('div', {class: 'graph-box'}, svg),
    h('p', {class: 'legend'}, states.map((state) =>
      h('span', {class: `legend-item edge-${state}`}, h('span', {class: 'legend-line', 'aria-hidden': 'true'}), stateWords[state]))),
    h('table', {class: 'edges', id: 'edge-table'},
      h('caption', {}, 'Edges'),
      h('thead', {}, h('tr', {}, ['Caller', 'Callee', 'Protocol', 'Calls', 'Connected', 'Logged', 'Broken', 'Restarted', 'Unsampled', 'Errors', 'p50', 'p95', 'Propagation health']
        .map((title) => h('th', {scope: 'col'}, title)))),
      h('tbody', {}, graph.edges.map((edge) => {
        const state = healthState(edge);
        return h('tr', {'data-edge': `${edge.caller}->${edge.callee}`, 'data-state': state},
          h('td', {}, edge.caller), h('td', {}, edge.callee, peers.has(edge.callee) ? h('span', {class: 'muted'}, ' (uninstrumented)') : ''),
          h('td', {}, edge.protocol), h('td', {class: 'number'}, String(edge.calls)),
          h('td', {class: 'number'}, String(edge.connected)), h('td', {class: 'number'}, String(edge.logged ?? 0)),
          h('td', {class: 'number'}, String(edge.broken)),
          h('td', {class: 'number'}, String(edge.restarted ?? 0)), h('td', {class: 'number'}, String(edge.unsampled ?? 0)),
          h('td', {class: 'number'}, String(edge.errors)), h('td', {class: 'number'}, milliseconds(edge.p50_ms)),
          h('td', {class: 'number'}, milliseconds(edge.p95_ms)),
          h('td', {}, h('span', {class: `health health-${state}`}, edge.callee_instrumented ? percent(edge.propagation_health) : 'n/a', ' — ', stateWords[state])));
      }))),
    await mapSection(lookback));
}
