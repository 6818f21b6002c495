// The tracemesh UI: hash routes #/ (search), #/trace/ID, #/graph.
import {ApiError, NeedsToken, setToken} from './api.js';
import {clear, h} from './dom.js';
import {renderGraph} from './graph.js';
import {renderSearch} from './search.js';
import {renderTrace} from './trace.js';

const main = () => document.getElementById('main');

function navigate(hash) {
  if (location.hash === hash) render();
  else location.hash = hash;
}

function tokenForm(container, problem) {
  const input = h('input', {type: 'password', name: 'token', autocomplete: 'off', 'aria-label': 'Query token'});
  container.append(
    h('h1', {}, 'Query token needed'),
    h('p', {}, 'This collector requires a bearer token for its query API (collect --query-token-file). It is kept for this browser session only.'),
    problem.refused ? h('p', {class: 'error', role: 'alert', id: 'token-refused'}, `The token was refused: ${problem.message}.`) : null,
    h('form', {class: 'filters', onsubmit: (event) => {
      event.preventDefault();
      setToken(input.value.trim());
      render();
    }}, input, h('button', {type: 'submit'}, 'Use token')));
  return input;
}

let generation = 0;

async function render() {
  const mine = ++generation;
  const container = main();
  const hash = location.hash || '#/';
  const [path, search = ''] = hash.slice(1).split('?');
  const params = new URLSearchParams(search);
  const page = path.startsWith('/trace/') ? 'trace' : path === '/graph' ? 'graph' : 'search';
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const fresh = h('div', {class: 'page', 'data-page': page, 'data-hash': hash, 'aria-busy': 'true'});
  let focus = null;
  try {
    if (page === 'trace') await renderTrace(fresh, decodeURIComponent(path.slice('/trace/'.length)));
    else if (page === 'graph') await renderGraph(fresh, params, navigate);
    else await renderSearch(fresh, params, navigate);
  } catch (error) {
    clear(fresh);
    if (error instanceof NeedsToken) focus = tokenForm(fresh, error);
    else fresh.append(h('h1', {}, 'Something went wrong'), h('p', {class: 'error', role: 'alert'},
      error instanceof ApiError ? `The collector answered: ${error.message}` : String(error.message || error)));
  }
  if (mine !== generation) return;  // a newer navigation won
  fresh.removeAttribute('aria-busy');
  clear(container).append(fresh);
  if (focus) focus.focus();
  document.title = `tracemesh — ${page === 'trace' ? 'trace' : page === 'graph' ? 'service graph' : 'traces'}`;
}

window.addEventListener('hashchange', render);
// The skip link moves focus; following it as a route would leave the page.
document.querySelector('.skip').addEventListener('click', (event) => {
  event.preventDefault();
  main().focus();
});
render();
