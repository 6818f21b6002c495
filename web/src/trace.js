// The trace page: a waterfall on a shared time axis, the integrity findings
// drawn in place (broken hops between the client span and the callee's own
// trace, orphans and skew on their rows), the log records that name the
// trace (ticks on their span's row, or a row of their own for a service that
// only logged), and the selected span's details.
import {ApiError, get, isTraceId} from './api.js';
import {integrityBadge} from './badge.js';
import {clear, h} from './dom.js';
import {duration, serviceColor, time} from './format.js';

const culprits = {
  caller_did_not_inject: (hop) => `${hop.caller_service} did not inject the context`,
  callee_did_not_extract: (hop) => `${hop.callee_service} received a context and did not extract it`,
  unknown: () => 'culprit unknown: the callee does not report what context it received',
};

// Depth-first rows from the API's tree, without recursion.
function flatten(tree) {
  const rows = [];
  const stack = [...tree].reverse().map((node) => [node, 0]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop();
    rows.push({id: node.span_id, depth});
    for (let i = node.children.length - 1; i >= 0; i--) stack.push([node.children[i], depth + 1]);
  }
  return rows;
}

function findingsBySpan(verdict) {
  const marks = new Map();
  const add = (id, mark) => {
    if (!marks.has(id)) marks.set(id, []);
    marks.get(id).push(mark);
  };
  for (const hop of verdict.broken_hops) add(hop.caller_span_id, {kind: 'broken_hop', hop});
  for (const orphan of verdict.orphans) add(orphan.span_id, {kind: 'orphan', orphan});
  for (const skew of verdict.clock_skew) add(skew.span_id, {kind: 'skew', skew});
  if (verdict.roots.length > 1) for (const root of verdict.roots) add(root, {kind: 'extra_root'});
  for (const id of verdict.unfinished) add(id, {kind: 'unfinished'});
  return marks;
}

function markLabel(mark) {
  switch (mark.kind) {
    case 'broken_hop': return 'broken hop';
    case 'orphan': return 'orphan';
    case 'skew': return 'clock skew';
    case 'extra_root': return 'one of several roots';
    case 'unfinished': return 'unfinished';
    default: return mark.kind;
  }
}

function skewText(skew) {
  const parts = [];
  if (Number(skew.starts_early_nanos) > 0) parts.push(`starts ${duration(skew.starts_early_nanos)} before its parent`);
  if (Number(skew.ends_late_nanos) > 0) parts.push(`ends ${duration(skew.ends_late_nanos)} after its parent`);
  return parts.join(' and ');
}

// A bar's duration: after the bar, or inside its end when the bar reaches the right edge.
function durationLabel(start, length, text) {
  const end = (start + length) * 100;
  if (end > 85) return h('span', {class: 'duration inside', style: {right: `${(100 - end).toFixed(3)}%`}}, text);
  return h('span', {class: 'duration', style: {left: `${end.toFixed(3)}%`}}, text);
}

// The row under a client span whose callee started its own trace.
function brokenHopRow(hop, id) {
  const link = isTraceId(hop.callee_trace_id)
    ? h('a', {href: `#/trace/${hop.callee_trace_id}`, class: 'mono'}, `trace ${hop.callee_trace_id.slice(0, 16)}`)
    : `trace ${hop.callee_trace_id}`;
  return h('li', {class: 'hop-row', id, 'data-broken-hop': hop.caller_span_id},
    h('span', {class: 'hop-icon', 'aria-hidden': 'true'}, '⚠'),
    h('span', {}, 'Broken hop: ', h('strong', {}, hop.callee_service),
      ` received '`, hop.callee_span_name, `' (${hop.protocol}) as a new trace, `, link,
      ' — likely culprit: ', (culprits[hop.culprit] || culprits.unknown)(hop)));
}

function attributeTable(attributes) {
  const entries = Object.entries(attributes || {});
  if (entries.length === 0) return h('p', {class: 'muted'}, 'none');
  return h('table', {class: 'attributes'}, h('tbody', {}, entries.map(([key, value]) =>
    h('tr', {}, h('th', {scope: 'row'}, key), h('td', {}, typeof value === 'string' ? value : JSON.stringify(value))))));
}

// The span a log record belongs to: the one it names, else the innermost
// span of its service (not an outbound call) that was open when it was
// written, else the service's first; null for a service with no span here.
function spanOfLog(log, spans, byService) {
  if (log.span_id && spans.has(log.span_id)) return spans.get(log.span_id);
  const at = BigInt(log.time_unix_nano);
  let open = null;
  let any = null;
  for (const span of byService.get(log.service) || []) {
    any = any || span;
    // The service's own code wrote the line, not an outbound call in flight.
    const outbound = span.kind === 'client' || span.kind === 'producer';
    const start = BigInt(span.start_unix_nano);
    if (!outbound && start <= at && at <= BigInt(span.end_unix_nano) && (!open || start >= BigInt(open.start_unix_nano))) open = span;
  }
  return open || any;
}

// A tick per line on the spans' time axis; a line outside it (clocks apart,
// a reused id) sits at the edge, marked so.
function logTicks(logs, t0, total) {
  return logs.map((log) => {
    const share = Number(BigInt(log.time_unix_nano) - t0) / total;
    const outside = share < 0 || share > 1;
    return h('span', {class: `log-tick severity-${(log.severity || 'info').toLowerCase()}${outside ? ' outside' : ''}`,
      title: `${log.severity ? `${log.severity} ` : ''}${log.body}${outside ? ' (outside the spans\' time)' : ''}`,
      style: {left: `${(Math.min(Math.max(share, 0), 1) * 100).toFixed(3)}%`}});
  });
}

// "+12.0ms" from `t0`, or "-3.0ms" for a line written before it.
function offset(time, t0) {
  const at = BigInt(time);
  return at >= t0 ? `+${duration(at - t0)}` : `-${duration(t0 - at)}`;
}

function logList(logs, t0) {
  return h('ul', {class: 'logs'}, logs.map((log) => h('li', {},
    h('span', {class: 'mono'}, `${offset(log.time_unix_nano, t0)} `),
    h('span', {class: 'service'}, log.service), ' ',
    log.severity ? h('span', {class: 'severity'}, `${log.severity} `) : null,
    log.body)));
}

function spanDetails(span, marks, logs) {
  return [
    ...spanFacts(span, marks),
    h('h3', {}, 'Logs'),
    logs.length === 0 ? h('p', {class: 'muted'}, 'none') : logList(logs, BigInt(span.start_unix_nano)),
  ];
}

function spanFacts(span, marks) {
  return [
    h('h2', {id: 'detail-title'}, span.name),
    h('dl', {class: 'facts'},
      h('dt', {}, 'Service'), h('dd', {}, span.service),
      h('dt', {}, 'Kind'), h('dd', {}, span.kind),
      h('dt', {}, 'Status'), h('dd', {}, span.status.code + (span.status.message ? `: ${span.status.message}` : '')),
      h('dt', {}, 'Started'), h('dd', {}, time(span.start_unix_nano)),
      h('dt', {}, 'Duration'), h('dd', {}, duration(BigInt(span.end_unix_nano) - BigInt(span.start_unix_nano))),
      h('dt', {}, 'Span id'), h('dd', {class: 'mono'}, span.span_id),
      h('dt', {}, 'Parent'), h('dd', {class: 'mono'}, span.parent_span_id || 'none (root)')),
    marks.length ? h('ul', {class: 'marks'}, marks.map((mark) => h('li', {class: `mark mark-${mark.kind}`}, markLabel(mark),
      mark.kind === 'skew' ? `: ${skewText(mark.skew)}` : '',
      mark.kind === 'orphan' ? `: parent ${mark.orphan.missing_parent_id} never arrived` : ''))) : null,
    h('h3', {}, 'Attributes'), attributeTable(span.attributes),
    h('h3', {}, 'Events'),
    span.events.length === 0 ? h('p', {class: 'muted'}, 'none') : h('ul', {class: 'events'}, span.events.map((event) =>
      h('li', {}, h('span', {class: 'mono'}, `+${duration(BigInt(event.time_unix_nano) - BigInt(span.start_unix_nano))} `),
        event.name, attributeTable(event.attributes)))),
    h('h3', {}, 'Links'),
    span.links.length === 0 ? h('p', {class: 'muted'}, 'none') : h('ul', {class: 'links'}, span.links.map((link) =>
      h('li', {}, isTraceId(link.trace_id) ? h('a', {href: `#/trace/${link.trace_id}`, class: 'mono'}, link.trace_id) : link.trace_id,
        ` span ${link.span_id}`, attributeTable(link.attributes)))),
  ];
}

export async function renderTrace(main, traceId) {
  if (!isTraceId(traceId)) {
    main.append(h('h1', {}, 'Trace'), h('p', {class: 'error'}, `'${traceId}' is not a trace id (32 lowercase hex digits).`));
    return;
  }
  let trace;
  try {
    trace = await get(`/api/traces/${traceId}`);
  } catch (error) {
    // No span of the trace, but log lines may name it: show them.
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    const found = await get(`/api/logs?trace_id=${traceId}`);
    if (!found.logs.length) throw error;
    const first = BigInt(found.logs[0].time_unix_nano);
    main.append(h('h1', {}, 'Trace ', h('span', {class: 'mono'}, traceId)),
      h('p', {class: 'summary'}, `No span of this trace is stored; ${found.logs.length} log line(s) name it, from `,
        [...new Set(found.logs.map((log) => log.service))].join(', '), ` · started ${time(first)}`),
      h('section', {class: 'trace-logs', 'aria-label': 'Log lines'}, h('h2', {}, 'Log lines'), logList(found.logs, first)));
    return;
  }
  const spans = new Map(trace.spans.map((span) => [span.span_id, span]));
  const verdict = trace.verdict;
  const marks = findingsBySpan(verdict);
  const logs = trace.logs || [];
  const byService = new Map();
  for (const span of trace.spans) {
    if (!byService.has(span.service)) byService.set(span.service, []);
    byService.get(span.service).push(span);
  }
  const logsBySpan = new Map();
  const logOnly = new Map();  // service -> its records, for services with no span here
  for (const log of logs) {
    const span = spanOfLog(log, spans, byService);
    const [map, key] = span ? [logsBySpan, span.span_id] : [logOnly, log.service];
    if (!map.has(key)) map.set(key, []);
    map.get(key).push(log);
  }
  // The axis is the spans' time: log lines far off it (clocks apart) must not squeeze the bars.
  const starts = trace.spans.map((span) => BigInt(span.start_unix_nano));
  const ends = trace.spans.map((span) => BigInt(span.end_unix_nano) > BigInt(span.start_unix_nano) ? BigInt(span.end_unix_nano) : BigInt(span.start_unix_nano));
  const t0 = starts.reduce((a, b) => (b < a ? b : a));
  const t1 = ends.reduce((a, b) => (b > a ? b : a));
  const traceLength = Number(t1 - t0);
  const total = traceLength > 0 ? traceLength : 1;  // for the bar arithmetic only
  const root = verdict.roots.length ? spans.get(verdict.roots[0]) : null;

  const detail = h('aside', {class: 'detail', 'aria-labelledby': 'detail-title'});
  const rows = flatten(trace.tree);
  const buttons = [];
  const select = (index) => {
    buttons.forEach((button, i) => {
      button.setAttribute('aria-current', i === index ? 'true' : 'false');
      button.setAttribute('tabindex', i === index ? '0' : '-1');
    });
    const span = spans.get(rows[index].id);
    clear(detail).append(...spanDetails(span, marks.get(span.span_id) || [], logsBySpan.get(span.span_id) || []).filter(Boolean));
  };
  const list = h('ol', {class: 'waterfall', 'aria-label': 'Spans, in tree order (arrow keys move, Enter selects)'});
  rows.forEach((row, index) => {
    const span = spans.get(row.id);
    const start = Number(BigInt(span.start_unix_nano) - t0) / total;
    const length = Math.max(Number(BigInt(span.end_unix_nano) - BigInt(span.start_unix_nano)), 0) / total;
    const spanMarks = marks.get(span.span_id) || [];
    const button = h('li', {
      class: `span-row${spanMarks.length ? ' flagged' : ''}${span.status.code === 'error' ? ' failed' : ''}`,
      tabindex: index === 0 ? '0' : '-1', 'aria-current': 'false',
      'aria-describedby': spanMarks.some((mark) => mark.kind === 'broken_hop') ? `hop-${span.span_id}` : null,
      'data-span-id': span.span_id, 'data-service': span.service, 'data-depth': String(row.depth),
      'data-marks': spanMarks.map((mark) => mark.kind).join(' '),
      onclick: () => { select(index); button.focus(); },
      onkeydown: (event) => {
        const next = {ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: rows.length - 1}[event.key];
        if (next !== undefined && next >= 0 && next < rows.length) {
          event.preventDefault();
          select(next);
          buttons[next].focus();
        } else if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          select(index);
        }
      },
    },
    h('span', {class: 'label', style: {'padding-left': `${Math.min(row.depth, 24) * 14}px`}},
      h('span', {class: 'swatch', style: {background: serviceColor(span.service)}, 'aria-hidden': 'true'}),
      h('span', {class: 'service'}, span.service), ' ',
      h('span', {class: 'name'}, span.name),
      spanMarks.map((mark) => h('span', {class: `mark mark-${mark.kind}`}, markLabel(mark)))),
    h('span', {class: 'timeline'},
      h('span', {class: 'bar', style: {left: `${(start * 100).toFixed(3)}%`, width: `${Math.max(length * 100, 0.4).toFixed(3)}%`,
        background: serviceColor(span.service)}}),
      logTicks(logsBySpan.get(span.span_id) || [], t0, total),
      durationLabel(start, length, duration(BigInt(span.end_unix_nano) - BigInt(span.start_unix_nano)))));
    buttons.push(button);
    list.append(button);
    for (const mark of spanMarks) if (mark.kind === 'broken_hop') list.append(brokenHopRow(mark.hop, `hop-${span.span_id}`));
  });
  // A service that logged the trace id and sent no span of it: the context
  // reached it (its logs say so), drawn as a row of its log lines.
  for (const [service, records] of logOnly) {
    list.append(h('li', {class: 'log-row', 'data-service': service,
      'aria-label': `${service} logged ${records.length} line(s) of this trace and sent no span`},
    h('span', {class: 'label'},
      h('span', {class: 'swatch', style: {background: serviceColor(service)}, 'aria-hidden': 'true'}),
      h('span', {class: 'service'}, service), ' ', h('span', {class: 'name muted'}, `logs only · ${records.length} line(s)`)),
    h('span', {class: 'timeline'}, logTicks(records, t0, total))));
  }

  const axis = h('div', {class: 'axis', 'aria-hidden': 'true'},
    h('span', {class: 'label'}),
    h('span', {class: 'timeline'}, [0, 0.25, 0.5, 0.75, 1].map((share) =>
      h('span', {class: 'tick', style: {left: `${share * 100}%`}}, duration(Math.round(total * share))))));

  const findings = [];
  for (const hop of verdict.broken_hops) findings.push(brokenHopRow(hop, null));
  for (const orphan of verdict.orphans) {
    const span = spans.get(orphan.span_id);
    findings.push(h('li', {}, `Orphan: '${span ? span.name : orphan.span_id}' of ${orphan.service} names parent ${orphan.missing_parent_id}, which never arrived.`));
  }
  if (verdict.roots.length > 1) findings.push(h('li', {}, `${verdict.roots.length} root spans: the trace was started more than once.`));
  for (const id of verdict.unfinished) {
    const span = spans.get(id);
    findings.push(h('li', {}, `Unfinished: '${span ? span.name : id}' of ${span ? span.service : '?'} has no end time (or ends before it starts).`));
  }
  for (const skew of verdict.clock_skew) {
    const span = spans.get(skew.span_id);
    findings.push(h('li', {}, `Clock skew: '${span ? span.name : skew.span_id}' of ${skew.service} ${skewText(skew)} (${skew.parent_service}).`));
  }

  main.append(...[
    h('h1', {}, 'Trace ', h('span', {class: 'mono'}, trace.trace_id)),
    h('p', {class: 'summary'},
      integrityBadge(verdict.integrity), ' ',
      root ? `${root.service}: ${root.name}` : 'no root span', ' · ',
      `${trace.spans.length} spans · ${logs.length ? `${logs.length} log lines · ` : ''}${duration(traceLength)} · started ${time(t0)} · `,
      verdict.state === 'settled' ? 'settled' : 'still arriving'),
    findings.length ? h('section', {class: 'findings', 'aria-label': 'Integrity findings'}, h('h2', {}, 'Findings'), h('ul', {}, findings)) : null,
    h('div', {class: 'trace-layout'},
      h('section', {class: 'waterfall-box', 'aria-label': 'Waterfall'}, axis, list),
      detail),
    logs.length ? h('section', {class: 'trace-logs', 'aria-label': 'Log lines'}, h('h2', {}, 'Log lines'), logList(logs, t0)) : null,
  ].filter(Boolean));
  if (buttons.length) select(0);
}
