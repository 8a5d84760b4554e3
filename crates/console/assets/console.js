// Switchback console script. Plain JavaScript, no dependencies, no build step.
//
// - Forms change things through the Step Functions API itself (POST / with X-Amz-Target),
//   so the console gets the same validation and errors as the SDKs and the CLI.
// - The graph is an SVG drawn by the server; this script pans and zooms it, colours its
//   states from the execution's progress, and shows a clicked state's details.
// - While an execution runs, progress arrives as server-sent events (/executions/{arn}/live).
// - The timeline asks the server for the progress at an earlier event.
(() => {
  'use strict';

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));

  // ---------------------------------------------------------------- the API

  // When the server requires authentication, the console is signed in: an HttpOnly session
  // cookie, plus an anti-forgery token in the switchback_csrf cookie that every change must
  // repeat in the X-Switchback-Csrf header (another site can neither read it nor set it).

  /** The session's anti-forgery token, or null when the console is not signed in. */
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)switchback_csrf=([^;]*)/);
    return match ? match[1] : null;
  }

  /** `headers` with the anti-forgery token added, when there is one. */
  function withCsrf(headers) {
    const token = csrfToken();
    if (token) headers['X-Switchback-Csrf'] = token;
    return headers;
  }

  /** The session has ended: back to the sign-in form, then here. */
  function signIn() {
    location.href = '/console/login?next=' + encodeURIComponent(location.pathname + location.search);
  }

  /** Calls a Step Functions action; rejects with {code, message} as the API answered. */
  async function api(action, body) {
    const response = await fetch('/', {
      method: 'POST',
      headers: withCsrf({
        'Content-Type': 'application/x-amz-json-1.0',
        'X-Amz-Target': 'AWSStepFunctions.' + action,
      }),
      body: JSON.stringify(body),
    });
    if (response.status === 401) signIn();
    const text = await response.text();
    let data = {};
    try { data = text ? JSON.parse(text) : {}; } catch (_) { data = { message: text }; }
    if (!response.ok) {
      const code = String(data.__type || 'Error').split('#').pop();
      throw { code, message: data.message || data.Message || response.statusText };
    }
    return data;
  }

  const machineUrl = (arn) => '/state-machines/' + encodeURIComponent(arn);
  const executionUrl = (arn) => '/executions/' + encodeURIComponent(arn);

  // ---------------------------------------------------------------- small UI helpers

  function setError(root, field, message) {
    const slot = $(`[data-error-for="${field}"]`, root);
    if (slot) slot.textContent = message || '';
    const input = $(`[name="${field}"]`, root);
    if (input) input.setAttribute('aria-invalid', message ? 'true' : 'false');
  }

  function clearErrors(root) {
    $$('[data-error-for]', root).forEach((slot) => { slot.textContent = ''; });
    $$('[aria-invalid]', root).forEach((input) => input.setAttribute('aria-invalid', 'false'));
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === 'class') node.className = value;
      else if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  document.addEventListener('click', (event) => {
    const toggle = event.target.closest('[data-action="toggle"]');
    if (toggle) {
      const target = document.getElementById(toggle.dataset.target);
      if (target) {
        target.hidden = !target.hidden;
        if (!target.hidden) { const first = $('input, textarea, select', target); if (first) first.focus(); }
      }
    }
    const tab = event.target.closest('[data-tab]');
    if (tab) {
      $$('[data-tab]', tab.parentElement).forEach((other) => {
        other.setAttribute('aria-selected', other === tab ? 'true' : 'false');
        const panel = document.getElementById(other.dataset.tab);
        if (panel) panel.hidden = other !== tab;
      });
    }
  });

  // ---------------------------------------------------------------- forms

  /** Checks a JSON field as it is typed; returns the parsed value or undefined. */
  function checkJson(textarea) {
    const form = textarea.form;
    try {
      const value = JSON.parse(textarea.value);
      setError(form, textarea.name, '');
      return { value };
    } catch (error) {
      setError(form, textarea.name, 'Not valid JSON: ' + error.message);
      return undefined;
    }
  }

  $$('textarea[data-json]').forEach((textarea) => {
    textarea.addEventListener('input', () => checkJson(textarea));
  });

  // A file picked for a definition fills its textarea.
  $$('input[type=file][data-fills]').forEach((input) => {
    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      if (!file) return;
      const target = document.getElementById(input.dataset.fills);
      if (target) target.value = await file.text();
    });
  });

  /** The definition as JSON text: YAML is converted by the server; faults go to the field. */
  async function definitionJson(form) {
    const text = form.elements.definition.value;
    if (!text.trim()) { setError(form, 'definition', 'A definition is required.'); return null; }
    try { JSON.parse(text); return text; } catch (_) { /* YAML, or broken JSON */ }
    const response = await fetch('/console/definition-json', { method: 'POST', headers: withCsrf({}), body: text });
    if (response.status === 401) signIn();
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { setError(form, 'definition', data.message || 'The definition could not be read.'); return null; }
    return data.definition;
  }

  /** Validates with ValidateStateMachineDefinition; lists each fault with its path. */
  async function validateDefinition(form, definition, type) {
    const body = { definition };
    if (type) body.type = type;
    const result = await api('ValidateStateMachineDefinition', body);
    if (result.result === 'OK') return true;
    const list = $('[data-error-for="definition"]', form);
    list.textContent = '';
    for (const d of result.diagnostics || []) {
      list.append(el('li', {}, el('code', { text: d.code }), d.location ? ' at ' : '',
        d.location ? el('code', { text: d.location }) : '', ': ' + d.message));
    }
    form.elements.definition.setAttribute('aria-invalid', 'true');
    return false;
  }

  function formError(form, error) {
    const message = error && error.code ? `${error.code}: ${error.message}` : String(error);
    if (error && /name/i.test(error.message || '') && form.elements.name &&
        /InvalidName|ValidationException|AlreadyExists/.test(error.code || '')) {
      setError(form, 'name', message);
    } else if (error && /InvalidExecutionInput/.test(error.code || '') && form.elements.input) {
      setError(form, 'input', message);
    } else if (error && /InvalidDefinition/.test(error.code || '') && form.elements.definition) {
      setError(form, 'definition', message);
    } else {
      setError(form, 'form', message);
    }
  }

  const handlers = {
    'create-machine': async (form) => {
      const name = form.elements.name.value.trim();
      if (!name) { setError(form, 'name', 'A name is required.'); return; }
      const definition = await definitionJson(form);
      if (definition === null) return;
      const type = form.elements.type.value;
      if (!(await validateDefinition(form, definition, type))) return;
      const created = await api('CreateStateMachine', {
        name, definition, type, roleArn: 'arn:aws:iam::123456789012:role/switchback-console',
      });
      location.href = machineUrl(created.stateMachineArn);
    },
    'update-machine': async (form) => {
      const definition = await definitionJson(form);
      if (definition === null) return;
      if (!(await validateDefinition(form, definition))) return;
      await api('UpdateStateMachine', { stateMachineArn: form.dataset.arn, definition });
      location.reload();
    },
    'start-execution': async (form) => {
      const input = checkJson(form.elements.input);
      if (!input) return;
      const body = { stateMachineArn: form.dataset.arn, input: form.elements.input.value };
      const name = form.elements.name.value.trim();
      if (name) body.name = name;
      if (form.dataset.express === 'true') {
        const result = await api('StartSyncExecution', body);
        const out = document.getElementById('sync-result');
        out.hidden = false;
        out.textContent = JSON.stringify(result, null, 2);
        return;
      }
      const started = await api('StartExecution', body);
      location.href = executionUrl(started.executionArn);
    },
  };

  $$('form[data-form]').forEach((form) => {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const submit = $('button[type=submit]', form);
      submit.disabled = true;
      try {
        await handlers[form.dataset.form](form);
      } catch (error) {
        formError(form, error);
      } finally {
        submit.disabled = false;
      }
    });
  });

  // ---------------------------------------------------------------- the graph: pan and zoom

  function panZoom(viewport) {
    const svg = $('svg', viewport);
    if (!svg) return;
    const initial = (svg.getAttribute('viewBox') || '0 0 100 100').split(/[\s,]+/).map(Number);
    let box = initial.slice();
    const apply = () => svg.setAttribute('viewBox', box.join(' '));
    const fit = () => { box = initial.slice(); apply(); };
    // A long workflow fitted whole would be too small to read: start it at its natural size,
    // top centre (Fit shows it all).
    const start = () => {
      const rect = svg.getBoundingClientRect();
      const scale = Math.min(rect.width / initial[2], rect.height / initial[3]);
      if (!(scale < 0.6) || rect.width === 0) { fit(); return; }
      box = [initial[0] + initial[2] / 2 - rect.width / 2, initial[1], rect.width, rect.height];
      apply();
    };
    start();
    const toSvg = (clientX, clientY) => {
      const rect = svg.getBoundingClientRect();
      const scale = Math.max(box[2] / rect.width, box[3] / rect.height);
      const offsetX = (rect.width * scale - box[2]) / 2;
      const offsetY = (rect.height * scale - box[3]) / 2;
      return [box[0] + (clientX - rect.left) * scale - offsetX, box[1] + (clientY - rect.top) * scale - offsetY, scale];
    };
    const zoom = (factor, clientX, clientY) => {
      const rect = svg.getBoundingClientRect();
      const [x, y] = toSvg(clientX ?? rect.left + rect.width / 2, clientY ?? rect.top + rect.height / 2);
      const width = Math.min(Math.max(box[2] * factor, initial[2] / 20), initial[2] * 8);
      const height = box[3] * (width / box[2]);
      box = [x - (x - box[0]) * (width / box[2]), y - (y - box[1]) * (height / box[3]), width, height];
      apply();
    };
    // Scrolling pans (long workflows are read by scrolling down them); Ctrl or Cmd with the
    // wheel, or a trackpad pinch (which browsers report as Ctrl+wheel), zooms.
    viewport.addEventListener('wheel', (event) => {
      event.preventDefault();
      if (event.ctrlKey || event.metaKey) {
        zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, event.clientX, event.clientY);
        return;
      }
      const [, , scale] = toSvg(event.clientX, event.clientY);
      box = [box[0] + event.deltaX * scale, box[1] + event.deltaY * scale, box[2], box[3]];
      apply();
    }, { passive: false });
    let drag = null;
    viewport.addEventListener('pointerdown', (event) => {
      if (event.button !== 0 || event.target.closest('.graph-tools')) return;
      drag = { x: event.clientX, y: event.clientY, box: box.slice(), moved: false };
    });
    window.addEventListener('pointermove', (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      viewport.classList.add('dragging');
      const [, , scale] = toSvg(event.clientX, event.clientY);
      box = [drag.box[0] - dx * scale, drag.box[1] - dy * scale, box[2], box[3]];
      apply();
    });
    window.addEventListener('pointerup', () => {
      if (drag && drag.moved) viewport.dataset.justDragged = '1';
      drag = null;
      viewport.classList.remove('dragging');
      setTimeout(() => { delete viewport.dataset.justDragged; }, 0);
    });
    $$('[data-zoom]', viewport).forEach((button) => button.addEventListener('click', () => {
      if (button.dataset.zoom === 'fit') fit();
      else zoom(button.dataset.zoom === 'in' ? 1 / 1.3 : 1.3);
    }));
    viewport.addEventListener('keydown', (event) => {
      if (event.key === '+' || event.key === '=') zoom(1 / 1.3);
      if (event.key === '-') zoom(1.3);
      if (event.key === '0') fit();
    });
  }

  $$('[data-graph]').forEach(panZoom);

  // States are reachable from the keyboard too: Tab to a state, Enter or Space to open it.
  $$('svg.workflow-graph g.state').forEach((g) => {
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', `${g.dataset.state} (${g.dataset.type || 'state'})`);
    g.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' && event.key !== ' ') return;
      event.preventDefault();
      g.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    });
  });

  /** The state a click in a graph landed on (not after a drag). */
  function clickedState(event) {
    const viewport = event.target.closest('[data-graph]');
    if (!viewport || viewport.dataset.justDragged) return null;
    return event.target.closest('g.state');
  }

  // ---------------------------------------------------------------- a state machine's page

  const definitionText = $('#definition-json');
  if (definitionText && !$('#execution')) {
    let definition = null;
    try { definition = JSON.parse(definitionText.textContent); } catch (_) { /* shown as text */ }
    const find = (states, name) => {
      if (!states || typeof states !== 'object') return null;
      if (states[name]) return states[name];
      for (const state of Object.values(states)) {
        for (const inner of [state.Iterator, state.ItemProcessor, ...(state.Branches || [])]) {
          const found = inner && find(inner.States, name);
          if (found) return found;
        }
      }
      return null;
    };
    document.addEventListener('click', (event) => {
      const node = clickedState(event);
      if (!node || !definition) return;
      $$('g.state.selected').forEach((g) => g.classList.remove('selected'));
      node.classList.add('selected');
      const state = find(definition.States, node.dataset.state);
      let panel = document.getElementById('state-definition');
      if (!panel) {
        panel = el('section', { id: 'state-definition', class: 'card' });
        $('.graph-section').append(panel);
      }
      panel.textContent = '';
      panel.append(el('h2', { text: node.dataset.state }),
        el('pre', { class: 'code', text: JSON.stringify(state, null, 2) }));
    });
  }

  // ---------------------------------------------------------------- an execution's page

  const execution = $('#execution');
  if (execution) watchExecution(execution);

  function watchExecution(root) {
    const arn = root.dataset.arn;
    const base = root.dataset.baseUrl;
    const start = Number(root.dataset.start) || 0;
    const range = $('#timeline-range');
    const liveButton = $('#timeline-live');
    const caption = $('#timeline-caption');
    let progress = JSON.parse($('#progress-data').textContent);
    let live = true;
    let scope = null;
    let selected = null;
    let source = null;
    let historyAfter = 0;
    let status = progress.status;

    const momentQuery = (at) => {
      const query = new URLSearchParams();
      if (at !== null && at !== undefined) query.set('at', at);
      if (scope) query.set('scope', scope);
      return query.toString();
    };

    function colour(p) {
      const svg = $('[data-graph] svg', root);
      if (!svg) return;
      $$('g.state', svg).forEach((g) => {
        const state = p.states[g.dataset.state];
        const label = $('text.status', g);
        const words = state ? state.label + (state.visits > 1 ? ` ×${state.visits}` : '') : '';
        g.dataset.status = state ? state.status : 'not_reached';
        if (label) label.textContent = words;
        g.setAttribute('aria-label', `${g.dataset.state}: ${words || 'Not reached'}`);
      });
    }

    function describeMoment(p) {
      const when = p.atTime ? new Date(p.atTime / 1000).toISOString().replace('T', ' ').replace('Z', ' UTC') : '';
      const elapsed = p.atTime ? ((p.atTime - start) / 1e6).toFixed(3) + ' s' : '';
      const what = [p.atKind, p.atState].filter(Boolean).join(' · ');
      caption.textContent = p.at
        ? `Event ${p.at} of ${p.last} · ${what} · +${elapsed} · ${when}${live ? ' (live)' : ''}`
        : 'No events yet';
    }

    let drawnIterations = null;
    function iterations(p) {
      // Rebuilt only when something changed, so a button is never swapped under the pointer.
      const key = JSON.stringify([scope, p.iterations]);
      if (key === drawnIterations) return;
      drawnIterations = key;
      const box = $('#iterations');
      const lists = $('#iteration-lists');
      const names = Object.keys(p.iterations || {});
      box.hidden = names.length === 0;
      lists.textContent = '';
      for (const name of names) {
        const its = p.iterations[name];
        const row = el('div', { class: 'iteration-list', 'data-map': name });
        row.append(el('button', { type: 'button', 'data-scope': '', 'aria-pressed': scope ? 'false' : 'true' }, 'All'));
        for (const it of its.listed) {
          row.append(el('button', {
            type: 'button', 'data-scope': it.lane, 'data-status': it.status, 'data-index': it.index,
            'aria-pressed': scope === it.lane ? 'true' : 'false', title: `Iteration ${it.index}: ${it.status}`,
          }, `#${it.index} ${it.status}`));
        }
        const more = its.total > its.listed.length ? ` (first ${its.listed.length} of ${its.total} shown)` : '';
        lists.append(el('h3', { text: `${name}: ${its.total} iteration${its.total === 1 ? '' : 's'}${more}` }), row);
      }
    }

    function banner(p) {
      if (p.status === status) return;
      status = p.status;
      const badge = $('#execution-status .badge');
      const words = { RUNNING: 'Running', SUCCEEDED: 'Succeeded', FAILED: 'Failed', TIMED_OUT: 'Timed out', ABORTED: 'Aborted' };
      if (badge) { badge.dataset.status = status; badge.textContent = words[status] || status; }
      $('#banner').dataset.status = status;
      $('[data-action="stop"]').hidden = status !== 'RUNNING';
      $('[data-action="redrive"]').hidden = !['FAILED', 'TIMED_OUT', 'ABORTED'].includes(status);
      if (status !== 'RUNNING') refreshDescription();
    }

    async function refreshDescription() {
      try {
        const d = await api('DescribeExecution', { executionArn: arn });
        const fmt = (s) => new Date(s * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');
        if (d.stopDate) {
          $('#stopped').textContent = fmt(d.stopDate);
          const seconds = d.stopDate - d.startDate;
          $('#duration').textContent = seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${seconds.toFixed(1)} s`;
        }
        if (d.output !== undefined) {
          try { $('#execution-output').textContent = JSON.stringify(JSON.parse(d.output), null, 2); } catch (_) { $('#execution-output').textContent = d.output; }
        }
      } catch (_) { /* the page stays as it is */ }
    }

    function show(p) {
      progress = p;
      colour(p);
      describeMoment(p);
      iterations(p);
      if (live) {
        range.max = Math.max(p.last, 1);
        range.value = Math.max(p.last, 1);
        banner(p);
      }
      if (selected) showState(selected);
    }

    async function fetchProgress(at) {
      const response = await fetch(`${base}/progress?${momentQuery(at)}`);
      if (response.ok) show(await response.json());
    }

    async function refreshHistory(after) {
      const response = await fetch(`${base}/events?after=${after}`);
      if (!response.ok) return;
      historyAfter = after;
      $('#history-page').innerHTML = await response.text();
    }

    function follow() {
      if (source) source.close();
      source = null;
      if (progress.status !== 'RUNNING' || !window.EventSource) return;
      source = new EventSource(`${root.dataset.liveUrl}?${momentQuery(null)}`);
      source.addEventListener('progress', (event) => {
        const p = JSON.parse(event.data);
        const grew = p.last !== progress.last;
        if (live) show(p);
        else { range.max = Math.max(p.last, 1); banner(p); }
        if (grew) {
          const info = $('#history-page .paging-info');
          const shown = info ? Number(info.dataset.lastShown) : 0;
          if (shown - historyAfter < 100) refreshHistory(historyAfter);
        }
        if (p.status !== 'RUNNING') { source.close(); source = null; }
      });
    }

    async function showState(name) {
      selected = name;
      $$('g.state.selected', root).forEach((g) => g.classList.remove('selected'));
      $$('g.state', root).filter((g) => g.dataset.state === name).forEach((g) => g.classList.add('selected'));
      const at = live ? null : Number(range.value);
      const response = await fetch(`${base}/state?name=${encodeURIComponent(name)}&${momentQuery(at)}`);
      if (!response.ok) return;
      const s = await response.json();
      const panel = $('#state-details');
      panel.textContent = '';
      panel.append(el('h2', { text: s.name }));
      const facts = el('dl', { class: 'facts' });
      const fact = (term, value) => { if (value !== null && value !== undefined && value !== '') facts.append(el('dt', { text: term }), el('dd', { text: value })); };
      fact('Status', s.label);
      if (s.visits > 1) fact('Visits', `${s.visits} (` + Object.entries(s.counts || {}).map(([k, v]) => `${v} ${k.toLowerCase()}`).join(', ') + ')');
      fact('Retries', s.retries);
      fact('Entered', s.enteredAt);
      fact('Exited', s.exitedAt);
      fact('Duration', s.duration);
      panel.append(facts);
      if (s.error) panel.append(el('h3', { text: 'Error' }), el('pre', { class: 'code error-text', 'data-field': 'error', text: s.error }));
      if (s.cause) panel.append(el('h3', { text: 'Cause' }), el('pre', { class: 'code error-text', 'data-field': 'cause', text: s.cause }));
      panel.append(el('h3', { text: 'Input' }), el('pre', { class: 'code', 'data-field': 'input', text: s.input ?? '—' }));
      panel.append(el('h3', { text: 'Output' }), el('pre', { class: 'code', 'data-field': 'output', text: s.output ?? '—' }));
    }

    root.addEventListener('click', async (event) => {
      const node = clickedState(event);
      if (node) { showState(node.dataset.state); return; }
      const scoped = event.target.closest('[data-scope]');
      if (scoped) {
        scope = scoped.dataset.scope || null;
        await fetchProgress(live ? null : Number(range.value));
        follow();
        return;
      }
      const page = event.target.closest('[data-history-after]');
      if (page) { event.preventDefault(); refreshHistory(Number(page.dataset.historyAfter)); return; }
      const action = event.target.closest('[data-action="stop"], [data-action="redrive"]');
      if (action) {
        const slot = $('[data-error-for="banner"]', root);
        slot.textContent = '';
        try {
          if (action.dataset.action === 'stop') {
            await api('StopExecution', { executionArn: arn });
          } else {
            await api('RedriveExecution', { executionArn: arn });
            location.reload();
          }
        } catch (error) {
          slot.textContent = `${error.code}: ${error.message}`;
        }
      }
    });

    let pending = null;
    range.addEventListener('input', () => {
      live = false;
      liveButton.setAttribute('aria-pressed', 'false');
      clearTimeout(pending);
      pending = setTimeout(() => fetchProgress(Number(range.value)), 40);
    });
    liveButton.addEventListener('click', async () => {
      live = true;
      liveButton.setAttribute('aria-pressed', 'true');
      await fetchProgress(null);
    });

    show(progress);
    follow();
  }

  // ---------------------------------------------------------------- signing out

  if (csrfToken()) {
    const nav = $('header.topbar nav');
    if (nav) {
      const button = el('button', { type: 'button', class: 'sign-out', 'data-action': 'sign-out', text: 'Sign out' });
      button.addEventListener('click', async () => {
        await fetch('/console/logout', { method: 'POST', headers: withCsrf({}) }).catch(() => null);
        location.href = '/console/login';
      });
      nav.append(' ', button);
    }
  }
})();
