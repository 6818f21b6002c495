import {h} from './dom.js';
import {integrityLabels} from './format.js';

// An integrity badge: colour and words, so it reads without colour too.
export function integrityBadge(state) {
  const known = Object.hasOwn(integrityLabels, state) ? state : 'unknown';
  return h('span', {class: `badge badge-${known}`, 'data-integrity': known},
    integrityLabels[known] || String(state));
}
