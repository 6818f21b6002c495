// The search page: recent traces with their integrity, and filters.
import {get, query} from './api.js';
import {integrityBadge} from './badge.js';
import {h} from './dom.js';
import {duration, integrityLabels, nowNanos, parseDuration, time} from './format.js';

const lookbacks = [['15m', 'last 15 minutes'], ['1h', 'last hour'], ['6h', 'last 6 hours'],
  ['24h', 'last 24 hours'], ['168h', 'last 7 days'], ['', 'any time']];

// The presets, plus a window from the address that is not one of them.
function withCurrent(options, value) {
  if (options.some(([option]) => option === value) || parseDuration(value) === null) return options;
  return [...options.slice(0, -1), [value, `last ${value}`], options[options.length - 1]];
}

function field(label, control) {
  return h('label', {class: 'field'}, h('span', {}, label), control);
}

function select(name, options, value) {
  return h('select', {name},
    options.map(([optionValue, text]) => h('option', {value: optionValue, selected: optionValue === value}, text)));
}

// The filters live in the URL (#/?service=...), so a search can be shared.
export async function renderSearch(main, params, navigate) {
  const services = (await get('/api/services')).services;
  const service = params.get('service') || '';
  let operations = [];
  if (service) operations = (await get(`/api/services/${encodeURIComponent(service)}/operations`)).operations;

  const form = h('form', {class: 'filters', 'aria-label': 'Trace filters'},
    field('Service', select('service', [['', 'any'], ...services.map((name) => [name, name])], service)),
    field('Operation', select('operation', [['', 'any'], ...[...new Set(operations.map((o) => o.name))].map((name) => [name, name])],
      params.get('operation') || '')),
    field('Min duration (100ms)', h('input', {name: 'min_duration', size: 8, value: params.get('min_duration') || ''})),
    field('Max duration (2s)', h('input', {name: 'max_duration', size: 8, value: params.get('max_duration') || ''})),
    field('Time', select('lookback', withCurrent(lookbacks, params.has('lookback') ? params.get('lookback') : '1h'),
      params.has('lookback') ? params.get('lookback') : '1h')),
    field('Integrity', select('integrity', [['', 'any'], ...Object.entries(integrityLabels)], params.get('integrity') || '')),
    h('button', {type: 'submit'}, 'Search'));
  const problems = h('p', {class: 'error', role: 'alert'});
  // A new service: its own operations.
  form.addEventListener('change', async (event) => {
    if (event.target.name !== 'service') return;
    const select = form.elements.operation;
    const chosen = event.target.value;
    const names = chosen
      ? [...new Set((await get(`/api/services/${encodeURIComponent(chosen)}/operations`)).operations.map((o) => o.name))]
      : [];
    if (form.elements.service.value !== chosen) return;  // changed again meanwhile
    select.replaceChildren(h('option', {value: ''}, 'any'), ...names.map((name) => h('option', {value: name}, name)));
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const name of ['service', 'operation', 'min_duration', 'max_duration', 'lookback', 'integrity']) {
      const value = form.elements[name].value.trim();
      if (name.endsWith('_duration') && value && parseDuration(value) === null) {
        problems.textContent = `${name.replace('_', ' ')}: '${value}' is not a duration (e.g. 250ms, 1.5s, 2m)`;
        return;
      }
      if (value || name === 'lookback') next.set(name, value);
    }
    navigate(`#/?${next.toString()}`);
  });

  const lookback = params.has('lookback') ? params.get('lookback') : '1h';
  const lookbackNanos = parseDuration(lookback);
  const request = {
    service,
    operation: params.get('operation'),
    min_duration: params.get('min_duration'),
    max_duration: params.get('max_duration'),
    integrity: params.get('integrity'),
    start: lookbackNanos === null ? undefined : String(nowNanos() - lookbackNanos),
    limit: 100,
  };
  let traces = [];
  try {
    traces = (await get(`/api/traces${query(request)}`)).traces;
  } catch (error) {
    if (error.status === 400) problems.textContent = error.message;
    else throw error;
  }

  const rows = traces.map((trace) => h('tr', {'data-trace-id': trace.trace_id},
    h('td', {}, h('a', {href: `#/trace/${trace.trace_id}`, class: 'mono'}, trace.trace_id.slice(0, 16))),
    h('td', {}, trace.root_service || h('span', {class: 'muted'}, 'no root')),
    h('td', {}, trace.root_name || ''),
    h('td', {class: 'nowrap'}, time(trace.start_unix_nano)),
    h('td', {class: 'number'}, duration(trace.duration_nanos)),
    h('td', {class: 'number'}, String(trace.span_count)),
    h('td', {}, integrityBadge(trace.integrity))));
  main.append(
    h('h1', {}, 'Traces'),
    form,
    problems,
    traces.length === 0
      ? h('p', {class: 'muted', id: 'no-traces'}, 'No trace matches these filters.')
      : h('table', {class: 'traces', id: 'trace-list'},
        h('caption', {}, `${traces.length} trace${traces.length === 1 ? '' : 's'}, newest first`),
        h('thead', {}, h('tr', {},
          ['Trace', 'Root service', 'Root operation', 'Started', 'Duration', 'Spans', 'Integrity']
            .map((title) => h('th', {scope: 'col'}, title)))),
        h('tbody', {}, rows)));
}
