// The propagation map on the graph page: every edge of a repository's code
// joined with what the collector saw (docs/map.md), each with its state and,
// on a broken edge, the call sites to fix. The report comes from the
// collector (`tracemesh collect --repo PATH` serves /api/map) or from a file
// `tracemesh audit --against URL --format json` wrote.
import {ApiError, get, query} from './api.js';
import {h} from './dom.js';

const stateWords = {
  broken_in_code: 'broken in the code', broken_at_callee: 'broken at the callee', untested: 'untested',
  unknown_to_code: 'unknown to the code', restarted: 'restarted on purpose', unsampled: 'unsampled',
  proven: 'proven',
};

function runtimeText(runtime) {
  const broken = Object.values(runtime.broken || {}).reduce((sum, calls) => sum + Number(calls), 0);
  const parts = [`${runtime.connected} connected`];
  if (broken) parts.push(`${broken} broken`);
  for (const key of ['restarted', 'unanswered', 'unsampled']) if (Number(runtime[key])) parts.push(`${runtime[key]} ${key}`);
  const total = Number(runtime.connected) + broken + ['restarted', 'unanswered', 'unsampled'].reduce((sum, key) => sum + Number(runtime[key] || 0), 0);
  return total ? parts.join(', ') : 'no calls';
}

function sites(edge) {
  if (!edge.sites.length) return '—';
  return edge.sites.map((site, index) => {
    const text = `${site.file}:${site.line}`;
    const label = site.propagation === 'no' ? ' (untraced)' : site.propagation === 'yes' ? ' (traced)' : '';
    return [index ? ', ' : '', site.blamed ? h('strong', {class: 'blamed', title: 'loses the context here'}, text) : h('code', {}, text), label];
  });
}

// The report's section: the coverage line and a table of the edges, worst first.
// Whether `report` has the shape this page reads (docs/map.md).
function wellFormed(report) {
  const object = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
  return object(report) && report.schema === 'tracemesh.map/v1' && object(report.coverage) &&
    object(report.states) && Array.isArray(report.edges) &&
    report.edges.every((edge) => object(edge) && Array.isArray(edge.sites) && object(edge.runtime) &&
      edge.sites.every(object));
}

export function mapTable(report, source) {
  if (!wellFormed(report)) {
    return h('p', {class: 'error', role: 'alert'}, 'Not a propagation map report (schema tracemesh.map/v1).');
  }
  const coverage = report.coverage;
  return h('div', {id: 'map-report'},
    h('p', {class: 'summary', id: 'map-coverage'},
      `Edges proven ${coverage.edges_proven}/${coverage.edges_judged} (${Number(coverage.percent).toFixed(1)} %) · `,
      Object.entries(report.states).map(([state, count]) => `${stateWords[state] || state} ${count}`).join(' · '),
      ` · ${source}`),
    h('table', {class: 'edges', id: 'map-table'},
      h('caption', {}, 'Edges of the code, joined with the calls seen'),
      h('thead', {}, h('tr', {}, ['State', 'Caller', 'Callee', 'Protocol', 'Endpoint', 'Runtime', 'Call sites', 'Why']
        .map((title) => h('th', {scope: 'col'}, title)))),
      h('tbody', {}, report.edges.map((edge) => h('tr', {'data-edge': `${edge.caller}->${edge.callee ?? edge.peer ?? ''}`, 'data-state': edge.state},
        h('td', {}, h('span', {class: `map-state map-${edge.state}`}, stateWords[edge.state] || edge.state)),
        h('td', {}, edge.caller), h('td', {}, edge.callee ?? edge.peer ?? '(unknown reader)'),
        h('td', {}, edge.protocol), h('td', {}, `${edge.method ? `${edge.method} ` : ''}${edge.endpoint}`),
        h('td', {}, runtimeText(edge.runtime)), h('td', {}, sites(edge)), h('td', {}, edge.reason))))));
}

// The graph page's map section: the collector's join when it has a
// repository, and a file input for a report written by `tracemesh audit --against`.
export async function mapSection(lookback) {
  const body = h('div', {id: 'map-body'});
  const input = h('input', {type: 'file', accept: '.json,application/json', id: 'map-file', onchange: async () => {
    const file = input.files && input.files[0];
    if (!file) return;
    let report = null;
    try {
      report = JSON.parse(await file.text());
    } catch {
      report = null;
    }
    body.replaceChildren(mapTable(report, `from ${file.name}`));
  }});
  try {
    body.append(mapTable(await get(`/api/map${query({lookback})}`), 'joined by the collector'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      body.append(h('p', {class: 'muted'}, 'The collector has no repository to join (start it with --repo PATH), ',
        'or load a report written by tracemesh audit --against URL --format json.'));
    } else if (error instanceof ApiError) {
      body.append(h('p', {class: 'error', role: 'alert'}, `The collector could not join the map: ${error.message}`));
    } else {
      throw error;  // a token to ask for, or the network: the page says so
    }
  }
  return h('section', {'aria-labelledby': 'map-heading'},
    h('h2', {id: 'map-heading'}, 'Propagation map'),
    h('label', {class: 'field'}, h('span', {}, 'Load a map report'), input),
    body);
}
