// @ts-check
/**
 * `/dashboard/task.js`: one task (`#/tasks/<id>`): its path through the lifecycle statechart,
 * the transition timeline with times and durations, the attempts per agent, the output or
 * degraded response, and its escalations. Re-reads itself on each of its transitions.
 *
 * A run (`kind: "run"`) shows its graph of steps (run.js) in place of the lifecycle and the
 * attempts, and re-reads itself on its step tasks' transitions too; a step's task links back to
 * its run.
 * @module
 */
import { h, replace, fmtTime, fmtDuration, between, pretty, badge, note, failed, TERMINAL } from './dom.js';
import { renderStatechart } from './statechart.js';
import { escalationTable, ack } from './escalations.js';
import { runSteps } from './run.js';
import { STEP_ENDED } from './rungraph.js';

/**
 * @import { Escalation, EscalationEvent, LifecycleGraph, Task, Transition, TransitionList } from '../apiTypes.js'
 * @import { Child } from './dom.js'
 * @import { Mount, ViewContext } from './view.js'
 */

/**
 * One line of the task's facts; an empty value shows as a dash.
 * @param {string} label
 * @param {Child} value
 */
const fact = (label, value) =>
  h('div', { class: 'fact' }, h('dt', { text: label }), h('dd', {}, value === undefined || value === '' ? '—' : value));

/**
 * The facts only a run has, or only a step's task: its steps, or the run and step it belongs to.
 * @param {Task} t
 */
function runFacts(t) {
  if (t.kind === 'run') {
    const steps = Object.values(t.steps || {});
    const ended = steps.filter((st) => STEP_ENDED.has(st.status)).length;
    return [fact('Steps', `${steps.length} (${ended} ended)`)];
  }
  if (!t.parentId) return [];
  return [
    fact('Run', h('a', { href: `#/tasks/${encodeURIComponent(t.parentId)}`, class: 'mono run-link', text: t.parentId })),
    fact('Step', h('span', { class: 'mono', text: `${t.step || ''}${t.index === undefined ? '' : ` #${t.index}`}` })),
  ];
}

/**
 * @param {Task} t
 * @param {ViewContext} ctx
 * @param {() => void} reload
 */
function header(t, ctx, reload) {
  const live = !TERMINAL.has(t.status);
  const cancel = live
    ? h(
        'button',
        {
          type: 'button',
          class: 'danger',
          id: 'cancel-task',
          onclick: async (ev) => {
            const button = /** @type {HTMLButtonElement} */ (ev.currentTarget); // null once the handler awaits
            button.disabled = true;
            try {
              await ctx.api.post(`/api/tasks/${encodeURIComponent(t.id)}/cancel`);
              ctx.toast('Cancel requested', 'ok');
              reload();
            } catch (err) {
              button.disabled = false;
              ctx.toast(ctx.api.adminFailure(err, 'Cancelling', 'Cancel'), 'error');
            }
          },
        },
        t.kind === 'run' ? 'Cancel run' : 'Cancel task',
      )
    : '';
  return h(
    'section',
    { class: ['panel', 'task-head', `tone-${t.status === 'running' ? 'running' : t.status}`] },
    h(
      'div',
      { class: 'toolbar' },
      h('a', { href: '#/tasks', class: 'back', text: '← Tasks' }),
      t.parentId ? h('a', { href: `#/tasks/${encodeURIComponent(t.parentId)}`, class: 'back', id: 'back-to-run', text: '← Run' }) : '',
      h('h1', {}, t.kind === 'run' ? 'Run ' : 'Task ', h('span', { class: 'mono', text: t.id })),
      badge(t.status),
      h('div', { class: 'spacer' }),
      cancel,
    ),
    h(
      'dl',
      { class: 'fact-grid' },
      fact('Workflow', t.workflow),
      fact('State', h('span', { class: 'mono', text: t.state })),
      runFacts(t),
      fact('Severity', t.severity ? badge(t.severity) : undefined),
      t.kind === 'run' ? '' : fact('Answered by', t.answeredBy),
      t.kind === 'run' ? '' : fact('Plan', t.plan.join(' → ')),
      fact('Created', fmtTime(t.createdAt)),
      fact('Updated', fmtTime(t.updatedAt)),
      fact(
        live ? 'Running for' : 'Took',
        h('span', {
          class: 'task-age',
          text: fmtDuration(live ? Date.now() - Date.parse(t.createdAt) : between(t.createdAt, t.updatedAt)),
        }),
      ),
      fact('Deadline', fmtTime(t.deadlineAt)),
    ),
  );
}

/**
 * @param {LifecycleGraph} graph
 * @param {readonly Transition[]} transitions
 * @param {Task} t
 */
function lifecycle(graph, transitions, t) {
  return h(
    'section',
    { class: 'panel lifecycle' },
    h('h2', { text: 'Lifecycle' }),
    h('div', { class: 'chart-wrap' }, renderStatechart(graph, transitions, t.state)),
    h(
      'ul',
      { class: 'legend' },
      h('li', { class: 'current' }, h('i'), 'current state'),
      h('li', { class: 'visited' }, h('i'), 'visited'),
      h('li', { class: 'unvisited' }, h('i'), 'not visited'),
      h('li', { class: 'taken' }, h('i'), 'transition taken (×n: more than once)'),
    ),
  );
}

/**
 * What a transition's detail says, in words: a retry's delay, the agents routing skipped, a reason.
 * @param {Transition} tr
 */
function detail(tr) {
  const d = tr.detail;
  if (!d) return '';
  const bits = [];
  if (d.delayMs !== undefined) bits.push(`retry in ${fmtDuration(d.delayMs)}`);
  if (d.skipped?.length) bits.push(`skipped ${d.skipped.map((x) => `${x.agent} (${x.reason})`).join(', ')}`);
  if (d.reason) bits.push(d.reason);
  if (d.step !== undefined) {
    const child = d.index === undefined ? '' : ` #${d.index}`;
    bits.push(`step ${d.step}${child}${d.items === undefined ? '' : `: ${d.items} items`}${d.status ? ` → ${d.status}` : ''}`);
  }
  return bits.join('; ');
}

/**
 * @param {readonly Transition[]} transitions
 * @param {Task} t
 */
function timeline(transitions, t) {
  const start = transitions[0] ? transitions[0].at : t.createdAt;
  const live = !TERMINAL.has(t.status);
  return h(
    'section',
    { class: 'panel timeline-panel' },
    h('h2', {}, 'Timeline ', h('span', { class: 'n', text: String(transitions.length) })),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'timeline', id: 'timeline' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['#', 'Time', '+', 'Transition', 'Event', 'Agent', 'Error', 'In state'].map((c) => h('th', { scope: 'col', text: c })),
          ),
        ),
        h(
          'tbody',
          {},
          transitions.map((tr, i) => {
            const next = transitions[i + 1];
            const last = !next;
            const stay = next ? fmtDuration(between(tr.at, next.at)) : live ? fmtDuration(Date.now() - Date.parse(tr.at)) : 'final';
            return h(
              'tr',
              { 'data-seq': tr.seq, 'data-to': tr.to, class: [`tone-${tr.to === 'waiting' ? 'waiting' : ''}`, last ? 'last' : ''] },
              h('td', { class: 'num muted', text: String(tr.seq) }),
              h('td', { class: 'time', text: fmtTime(tr.at) }),
              h('td', { class: 'num muted', text: `+${fmtDuration(between(start, tr.at))}` }),
              h(
                'td',
                { class: 'mono' },
                tr.from ? h('span', { class: 'from', text: tr.from }) : h('span', { class: 'muted', text: '∅' }),
                ' → ',
                h('span', { class: ['to', `tone-text-${tr.to}`], text: tr.to }),
              ),
              h('td', { class: 'event mono', 'data-field': 'event', text: tr.event }),
              h('td', { text: tr.agent ? tr.agent + (tr.attempt ? ` #${tr.attempt}` : '') : '' }),
              h(
                'td',
                { class: 'mono error' },
                tr.error ? h('span', { title: tr.error.message || '', text: tr.error.code }) : '',
                detail(tr) ? h('div', { class: 'muted small', text: detail(tr) }) : '',
              ),
              h('td', { class: ['num', 'stay', last && live ? 'live' : ''], text: stay }),
            );
          }),
        ),
      ),
    ),
  );
}

/**
 * @param {Task} t
 * @param {readonly Transition[]} transitions
 */
function attempts(t, transitions) {
  const order = t.plan.slice();
  for (const a of t.attempts) if (!order.includes(a.agent)) order.push(a.agent);
  /** @type {Map<string, string>} */
  const skipped = new Map();
  for (const tr of transitions) for (const sk of tr.detail?.skipped || []) skipped.set(sk.agent, sk.reason);
  return h(
    'section',
    { class: 'panel attempts-panel' },
    h('h2', {}, 'Attempts ', h('span', { class: 'n', text: String(t.attempts.length) })),
    order.length
      ? h(
          'div',
          { class: 'agents-tried' },
          order.map((agent, i) => {
            const mine = t.attempts.filter((a) => a.agent === agent);
            return h(
              'div',
              { class: 'agent-attempts', 'data-agent': agent },
              h('h3', {}, agent, ' ', h('span', { class: 'muted small', text: i === 0 ? 'primary' : `fallback ${i}` })),
              mine.length
                ? h(
                    'ol',
                    {},
                    mine.map((a) =>
                      h(
                        'li',
                        { class: ['attempt', `outcome-${a.outcome}`], 'data-attempt': a.attempt },
                        h('span', { class: 'attempt-n', text: `#${a.attempt}` }),
                        badge(
                          a.outcome === 'error' ? 'error' : a.outcome === 'ok' ? 'ok' : 'running',
                          a.outcome === 'error' ? 'failed' : a.outcome === 'ok' ? 'completed' : 'running',
                        ),
                        h('span', { class: 'mono code', text: a.error ? a.error.code : '' }),
                        h('span', { class: 'num muted', text: fmtDuration(between(a.startedAt, a.endedAt)) }),
                        a.error
                          ? h('div', {
                              class: 'msg',
                              text:
                                a.error.message +
                                (a.error.category ? ` (${a.error.category}${a.error.retryable ? ', retryable' : ''})` : ''),
                            })
                          : '',
                      ),
                    ),
                  )
                : note(skipped.has(agent) ? `skipped: ${skipped.get(agent)}` : 'not tried', 'muted'),
            );
          }),
        )
      : note('No agent was tried.', 'muted'),
  );
}

/** @param {Task} t */
function result(t) {
  if (t.status === 'degraded') {
    return h(
      'section',
      { class: 'panel result tone-degraded', id: 'result' },
      h('h2', { text: t.kind === 'run' ? 'Output (degraded)' : 'Degraded response' }),
      h('p', {
        class: 'hint',
        text:
          t.kind === 'run'
            ? `A step was degraded or failed, or the run fell back to the workflow's degraded response${t.error ? ` after ${t.error.code}` : ''}.`
            : `Every agent failed; this is the workflow's fallback answer${t.error ? `, after ${t.error.code}` : ''}.`,
      }),
      h('pre', { class: 'json', text: pretty(t.output) }),
    );
  }
  if (t.status === 'completed') {
    return h(
      'section',
      { class: 'panel result tone-completed', id: 'result' },
      h('h2', {}, 'Output', t.answeredBy ? h('span', { class: 'muted small', text: ` answered by ${t.answeredBy}` }) : ''),
      h('pre', { class: 'json', text: pretty(t.output) }),
    );
  }
  if (t.status === 'failed' || t.status === 'cancelled') {
    return h(
      'section',
      { class: ['panel', 'result', `tone-${t.status}`], id: 'result' },
      h('h2', { text: t.status === 'failed' ? 'Failed' : 'Cancelled' }),
      t.error ? h('p', {}, h('span', { class: 'mono code', text: t.error.code }), ' ', t.error.message || '') : note('No output.', 'muted'),
    );
  }
  return h(
    'section',
    { class: 'panel result', id: 'result' },
    h('h2', { text: 'Output' }),
    note(`No output yet: the task is ${t.status}.`, 'muted'),
  );
}

/** @type {Mount} */
export function mount(root, ctx) {
  // The router mounts this view only for `#/tasks/<id>`.
  const id = ctx.params.id || '';
  /** @type {Task | undefined} */
  let task;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {string | undefined} */
  let lastTransitionAt;
  /** The steps section of a run, kept across reads so its drawing is repainted, not redrawn. @type {ReturnType<typeof runSteps> | undefined} */
  let steps;
  // Reads overlap when transitions come fast: only the latest one started may render.
  let reads = 0;
  const body = h('div', { class: 'task-page', 'data-task-id': id });
  root.append(body);

  async function load() {
    const read = ++reads;
    try {
      const [t, tr, graph] = await Promise.all([
        /** @type {Promise<Task>} */ (ctx.api.get(`/api/tasks/${encodeURIComponent(id)}`)),
        /** @type {Promise<TransitionList>} */ (ctx.api.get(`/api/tasks/${encodeURIComponent(id)}/transitions`)),
        ctx.graph(),
      ]);
      // An escalation that cannot be read (gone, or refused) is left out rather than failing the page.
      const escalations = (
        await Promise.all(
          t.escalationIds.map((e) =>
            /** @type {Promise<Escalation>} */ (ctx.api.get(`/api/escalations/${encodeURIComponent(e)}`)).catch(() => undefined),
          ),
        )
      ).filter((e) => e !== undefined);
      if (read !== reads) return;
      task = t;
      lastTransitionAt = tr.transitions.at(-1)?.at ?? t.createdAt;
      render(t, tr.transitions, graph, escalations);
    } catch (err) {
      if (read !== reads) return;
      replace(
        body,
        h(
          'section',
          { class: 'panel' },
          h('a', { href: '#/tasks', class: 'back', text: '← Tasks' }),
          ctx.api.statusOf(err) === 404 ? note(`No task ${id}.`, 'error') : failed(err, 'this task'),
        ),
      );
    }
  }

  /**
   * @param {Task} t
   * @param {readonly Transition[]} transitions
   * @param {LifecycleGraph} graph
   * @param {readonly Escalation[]} escalations
   */
  function render(t, transitions, graph, escalations) {
    /** @type {(eid: string, button: HTMLButtonElement) => Promise<void>} */
    const onAck = async (eid, button) => {
      if (await ack(ctx, eid, button)) load();
    };
    if (t.kind === 'run') {
      steps = steps || runSteps(ctx, t.workflow);
      steps.update(t, transitions);
    }
    replace(
      body,
      header(t, ctx, load),
      steps ? steps.element : lifecycle(graph, transitions, t),
      steps ? timeline(transitions, t) : h('div', { class: 'columns' }, timeline(transitions, t), attempts(t, transitions)),
      result(t),
      h(
        'section',
        { class: 'panel escalations-panel' },
        h('h2', {}, 'Escalations ', h('span', { class: 'n', text: String(escalations.length) })),
        escalations.length
          ? h('div', { class: 'table-wrap' }, escalationTable(escalations, onAck, { showTask: false }))
          : note(
              t.status === 'degraded' || t.status === 'failed'
                ? 'No escalation recorded for this task.'
                : 'None: only degraded and failed tasks escalate.',
              'muted',
            ),
      ),
      h('details', { class: 'panel input' }, h('summary', { text: 'Input' }), h('pre', { class: 'json', text: pretty(t.input) })),
    );
  }

  const ticker = setInterval(() => {
    if (!task || TERMINAL.has(task.status)) return;
    const cell = body.querySelector('.stay.live');
    if (cell && lastTransitionAt) cell.textContent = fmtDuration(Date.now() - Date.parse(lastTransitionAt));
    const age = body.querySelector('.task-age');
    if (age) age.textContent = fmtDuration(Date.now() - Date.parse(task.createdAt));
  }, 1000);

  replace(body, note(`Loading task ${id}…`));
  load();
  return {
    title: `Task ${id}`,
    onTransition(e) {
      // A run's step tasks are `<runId>.<stepId>` and `<runId>.<stepId>.<index>`.
      const mine = e.taskId === id || (task?.kind === 'run' && e.taskId.startsWith(`${id}.`));
      if (!mine) return;
      // Gathered, not postponed: a busy run must still repaint while its steps keep moving.
      if (!timer)
        timer = setTimeout(() => {
          timer = undefined;
          load();
        }, 120);
    },
    onEvent(type, data) {
      if (type !== 'escalation') return;
      const e = /** @type {EscalationEvent} */ (data).escalation;
      if (e.taskId === id || e.taskIds.includes(id)) load();
    },
    refresh: load,
    unmount() {
      clearInterval(ticker);
      clearTimeout(timer);
    },
  };
}
