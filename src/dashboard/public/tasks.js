// @ts-check
/**
 * `/dashboard/tasks.js`: the live task list. Transitions from the event stream patch rows at
 * once (state, status) and then re-read the task, so a new task appears without a reload. Rows
 * are keyed by task id and only changed rows are rebuilt, so the flash on a change plays once.
 *
 * A run's row says how many steps it has. The tasks of runs' steps are hidden unless the "Step
 * tasks" toggle shows them (`#/tasks?steps=1`): hidden, the list reads `?topLevel=true` and drops
 * a step's task that the stream announces.
 * @module
 */
import { h, replace, fmtTime, fmtDuration, between, badge, note, failed, shortId, TERMINAL } from './dom.js';

/**
 * @import { Task, TaskList, TransitionEvent } from '../apiTypes.js'
 * @import { Mount } from './view.js'
 */

/**
 * A row of the list: a task as read, or, until it is read, as its first transition describes it.
 * @typedef {Pick<Task, 'id' | 'workflow' | 'state' | 'status' | 'createdAt' | 'updatedAt' | 'attempts'> & Partial<Pick<Task, 'answeredBy' | 'error' | 'kind' | 'steps' | 'parentId' | 'step' | 'index'>>} Row
 */

/** The status filter's chips, in lifecycle order. @type {readonly Task['status'][]} */
export const STATUSES = ['queued', 'running', 'waiting', 'completed', 'degraded', 'failed', 'cancelled'];
/** @type {ReadonlySet<string>} */
const SAME = new Set(['queued', 'waiting', 'completed', 'degraded', 'failed', 'cancelled']);
/**
 * The task status a machine state shows as (the engine's STATUS_OF). The cast holds because SAME
 * holds only statuses.
 * @param {string} state
 * @returns {Task['status']}
 */
export const statusOf = (state) => (SAME.has(state) ? /** @type {Task['status']} */ (state) : 'running');

/** @param {Row} t */
const lastAgent = (t) => t.answeredBy || t.attempts.at(-1)?.agent || '';
/**
 * What kind of task a row is, beside its workflow: a run and its step count, or a run's step.
 * @param {Row} t
 */
function kindTag(t) {
  if (t.kind === 'run') {
    const n = Object.keys(t.steps || {}).length;
    return h('span', { class: 'tag run-tag', text: `run · ${n} step${n === 1 ? '' : 's'}` });
  }
  if (t.parentId)
    return h('span', {
      class: 'tag step-tag',
      title: `a step of run ${t.parentId}`,
      text: `step ${t.step || '?'}${t.index === undefined ? '' : ` #${t.index}`}`,
    });
  return '';
}

/** @param {Row} t */
const age = (t) => (TERMINAL.has(t.status) ? between(t.createdAt, t.updatedAt) : Date.now() - Date.parse(t.createdAt));

/** @type {Mount} */
export function mount(root, ctx) {
  /** @type {Map<string, Row>} */
  const tasks = new Map();
  /** @type {Map<string, HTMLTableRowElement>} */
  const rows = new Map();
  let status = ctx.query.get('status') || '';
  let search = ctx.query.get('q') || '';
  let showSteps = ctx.query.get('steps') === '1';
  /** Tasks known to be runs' steps, whose events are ignored while step tasks are hidden. @type {Set<string>} */
  const stepTasks = new Set();
  const query = () => ({ status, q: search, steps: showSteps ? '1' : '' });
  let loaded = false;
  /** @type {unknown} */
  let failure;

  const chips = h('div', { class: 'chips', role: 'toolbar', 'aria-label': 'Filter by status' });
  const searchBox = h('input', {
    type: 'search',
    id: 'task-search',
    placeholder: 'Search task id or workflow',
    value: search,
    'aria-label': 'Search tasks by id or workflow',
    autocomplete: 'off',
    oninput: () => {
      search = searchBox.value.trim();
      ctx.setQuery(query());
      render();
    },
  });
  const stepsToggle = h('button', {
    type: 'button',
    id: 'show-steps',
    class: 'chip toggle',
    'aria-pressed': String(showSteps),
    title: "Show the tasks of runs' steps as rows of their own",
    text: 'Step tasks',
    onclick: () => {
      showSteps = !showSteps;
      stepsToggle.setAttribute('aria-pressed', String(showSteps));
      ctx.setQuery(query());
      load();
    },
  });
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'tasks', id: 'tasks-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Status', 'Task', 'Workflow', 'State', 'Agent', 'Attempts', 'Error', 'Created', 'Duration'].map((c) =>
          h('th', { scope: 'col', text: c }),
        ),
      ),
    ),
    tbody,
  );
  const empty = h('div', { class: 'empty' });
  const shown = h('span', { class: 'muted shown' });
  root.append(
    h(
      'section',
      { class: 'panel' },
      h('div', { class: 'toolbar' }, h('h1', { text: 'Tasks' }), chips, h('div', { class: 'spacer' }), stepsToggle, searchBox),
      h('div', { class: 'table-wrap' }, table),
      empty,
      h('div', { class: 'footer' }, shown),
    ),
  );

  function visible() {
    const q = search.toLowerCase();
    return [...tasks.values()]
      .filter(
        (t) => (!status || t.status === status) && (!q || t.id.toLowerCase().includes(q) || String(t.workflow).toLowerCase().includes(q)),
      )
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  function renderChips() {
    /** @type {Map<string, number>} */
    const counts = new Map();
    for (const t of tasks.values()) counts.set(t.status, (counts.get(t.status) || 0) + 1);
    /**
     * @param {string} value the status; '' for all
     * @param {string} label
     * @param {number} n
     */
    const chip = (value, label, n) =>
      h(
        'button',
        {
          type: 'button',
          class: ['chip', value ? `tone-${value === 'running' ? 'running' : value}` : 'all'],
          'data-status': value || 'all',
          'aria-pressed': String(status === value),
          onclick: () => {
            status = value;
            ctx.setQuery(query());
            render();
          },
        },
        h('span', { class: 'label', text: label }),
        h('span', { class: 'n', text: String(n) }),
      );
    replace(
      chips,
      chip('', 'All', tasks.size),
      STATUSES.map((st) => chip(st, st, counts.get(st) || 0)),
    );
  }

  /** @param {Row} t */
  function cells(t) {
    // A completed task shows no error, whatever its attempts met on the way; a live one shows
    // what its last failed attempt met.
    const err = t.status === 'completed' ? '' : t.error ? t.error.code : t.attempts.findLast((a) => a.error)?.error?.code;
    return [
      h('td', { class: 'status' }, badge(t.status)),
      h('td', { class: 'id' }, h('a', { href: `#/tasks/${encodeURIComponent(t.id)}` }, shortId(t.id, 13))),
      h('td', { class: 'workflow' }, t.workflow, ' ', kindTag(t)),
      h('td', { class: 'state mono', text: t.state }),
      h('td', { class: 'agent', text: lastAgent(t) || '—' }),
      h('td', { class: 'num', text: String(t.attempts.length) }),
      h('td', { class: 'error mono', text: err || '' }),
      h('td', { class: 'time', text: fmtTime(t.createdAt) }),
      h('td', { class: 'age num', text: fmtDuration(age(t)) }),
    ];
  }

  /** @param {Row} t */
  function rowFor(t) {
    const sig = `${t.status}|${t.state}|${t.updatedAt}|${t.attempts.length}|${t.kind}|${Object.keys(t.steps || {}).length}|${t.parentId}`;
    let tr = rows.get(t.id);
    if (tr && tr.dataset.sig === sig) return tr;
    const isNew = !tr;
    if (!tr) {
      tr = h('tr', {
        'data-task-id': t.id,
        onclick: (e) => {
          if (!(e.target instanceof Element && e.target.closest('a'))) ctx.go(`#/tasks/${encodeURIComponent(t.id)}`);
        },
      });
      rows.set(t.id, tr);
    }
    tr.dataset.sig = sig;
    tr.dataset.status = t.status;
    tr.replaceChildren(...cells(t));
    if (loaded) {
      tr.classList.remove('flash');
      void tr.offsetWidth; // restart the animation
      tr.classList.add('flash');
      if (isNew) tr.classList.add('new');
    }
    return tr;
  }

  function render() {
    renderChips();
    const list = visible();
    const wanted = list.slice(0, 500).map(rowFor);
    // Move only rows that are out of place: moving a row would restart its flash.
    wanted.forEach((tr, i) => {
      if (tbody.children[i] !== tr) tbody.insertBefore(tr, tbody.children[i] || null);
    });
    while (tbody.children.length > wanted.length) tbody.lastElementChild?.remove();
    table.hidden = !wanted.length;
    if (failure) replace(empty, failed(failure, 'tasks'));
    else if (!loaded) replace(empty, note('Loading tasks…'));
    else if (!tasks.size)
      replace(empty, note('No tasks yet. They appear here as soon as one is submitted (warden submit WORKFLOW, or POST /api/tasks).'));
    else if (!wanted.length) replace(empty, note('No task matches this filter.'));
    else replace(empty);
    shown.textContent = loaded ? `Showing ${wanted.length} of ${tasks.size} tasks` : '';
  }

  async function load() {
    try {
      const res = /** @type {TaskList} */ (await ctx.api.get(`/api/tasks?limit=500${showSteps ? '' : '&topLevel=true'}`));
      tasks.clear();
      for (const t of res.tasks) tasks.set(t.id, t);
      failure = undefined;
      loaded = true;
    } catch (err) {
      failure = err;
    }
    render();
  }

  /** @type {Set<string>} */
  const pending = new Set();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let flushTimer;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let renderTimer;
  async function flush() {
    flushTimer = undefined;
    const ids = [...pending];
    pending.clear();
    // Past a burst this size, one list read is cheaper than a read per task.
    if (ids.length > 25) {
      await load();
      return;
    }
    await Promise.all(
      ids.map(async (id) => {
        try {
          const t = /** @type {Task} */ (await ctx.api.get(`/api/tasks/${encodeURIComponent(id)}`));
          if (t.parentId && !showSteps) {
            stepTasks.add(id);
            tasks.delete(id);
          } else tasks.set(id, t);
        } catch {
          /* keep the patched row */
        }
      }),
    );
    render();
  }

  /**
   * Whether a task is known to be a run's step: read as one, or named `<runId>.<…>` after a task
   * in the list. Only a step's task is named after another task, and the run's first transition
   * comes before any of its steps', so this holds even before the run itself has been read (step
   * ids may hold dots, so every prefix is tried).
   * @param {string} id
   */
  function isStepTask(id) {
    if (stepTasks.has(id)) return true;
    for (let i = id.indexOf('.'); i > 0; i = id.indexOf('.', i + 1)) if (tasks.has(id.slice(0, i))) return true;
    return false;
  }

  /** @param {TransitionEvent} e */
  function onTransition(e) {
    if (!showSteps && isStepTask(e.taskId)) return;
    const t = tasks.get(e.taskId);
    if (t) Object.assign(t, { state: e.to, status: statusOf(e.to), updatedAt: e.at });
    else
      tasks.set(e.taskId, {
        id: e.taskId,
        workflow: e.workflow,
        state: e.to,
        status: statusOf(e.to),
        createdAt: e.at,
        updatedAt: e.at,
        attempts: [],
      });
    pending.add(e.taskId);
    if (!flushTimer) flushTimer = setTimeout(flush, 250);
    if (!renderTimer)
      renderTimer = setTimeout(() => {
        renderTimer = undefined;
        render();
      }, 50);
  }

  const ticker = setInterval(() => {
    for (const t of tasks.values()) {
      if (TERMINAL.has(t.status)) continue;
      const cell = rows.get(t.id)?.querySelector('.age');
      if (cell) cell.textContent = fmtDuration(age(t));
    }
  }, 1000);

  render();
  load();
  return {
    title: 'Tasks',
    onTransition,
    refresh: load,
    unmount() {
      clearInterval(ticker);
      clearTimeout(flushTimer);
      clearTimeout(renderTimer);
    },
  };
}
