/**
 * `/dashboard/style.css`: a dark theme sized in rem, so the large-type switch (`html.large`)
 * scales everything for a wall screen. Status colours: completed green, degraded amber,
 * failed red, running blue, waiting grey. System fonts only: nothing is fetched from elsewhere.
 * @internal
 */
const css = String.raw`
:root {
  --bg: #0d1117; --bg-deep: #010409; --panel: #161b22; --panel-2: #1c2230; --border: #30363d; --line: #21262d;
  --text: #e6edf3; --muted: #8b949e; --dim: #6e7681;
  --green: #3fb950; --amber: #e3b341; --red: #f85149; --blue: #58a6ff; --grey: #8b949e; --slate: #9aa7b8; --purple: #bc8cff;
  --tone: var(--blue);
  --mono: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", "DejaVu Sans", sans-serif;
  color-scheme: dark;
}
html { font-size: 16px; background: var(--bg); }
html.large { font-size: 22px; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--text); font: 1rem/1.45 var(--sans); min-height: 100vh; }
a { color: var(--blue); text-decoration: none; }
a:hover { text-decoration: underline; }
code, .mono { font-family: var(--mono); font-size: 0.92em; }
h1 { font-size: 1.35rem; margin: 0; font-weight: 650; }
h2 { font-size: 1.1rem; margin: 0 0 0.6rem; font-weight: 600; }
h3 { font-size: 1rem; margin: 0 0 0.4rem; font-weight: 600; }
.muted { color: var(--muted); }
.small { font-size: 0.82rem; }
.spacer { flex: 1; }
.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.hint { color: var(--muted); margin: 0 0 0.6rem; font-size: 0.9rem; }
[hidden] { display: none !important; }

/* tones */
.tone-completed { --tone: var(--green); }
.tone-degraded { --tone: var(--amber); }
.tone-failed { --tone: var(--red); }
.tone-running { --tone: var(--blue); }
.tone-waiting { --tone: var(--grey); }
.tone-queued { --tone: var(--slate); }
.tone-cancelled { --tone: var(--purple); }
.tone-text-completed { color: var(--green); } .tone-text-degraded { color: var(--amber); } .tone-text-failed { color: var(--red); }
.tone-text-waiting, .tone-text-queued { color: var(--grey); } .tone-text-cancelled { color: var(--purple); }
.tone-text-routing, .tone-text-attempting, .tone-text-validating, .tone-text-running { color: var(--blue); } .tone-text-degrading { color: var(--amber); }

/* top bar */
.topbar { position: sticky; top: 0; z-index: 10; display: flex; align-items: center; gap: 1.25rem; padding: 0.55rem 1.25rem;
  background: var(--bg-deep); border-bottom: 1px solid var(--border); }
.brand { display: flex; align-items: center; gap: 0.5rem; color: var(--text); font-weight: 700; font-size: 1.2rem; letter-spacing: 0.02em; }
.brand:hover { text-decoration: none; }
.brand img { width: 1.6rem; height: 1.6rem; }
#nav { display: flex; gap: 0.25rem; }
#nav a { color: var(--muted); padding: 0.4rem 0.8rem; border-radius: 6px; font-weight: 550; display: flex; align-items: center; gap: 0.4rem; }
#nav a:hover { color: var(--text); background: var(--panel); text-decoration: none; }
#nav a[aria-current="page"] { color: var(--text); background: var(--panel-2); box-shadow: inset 0 -2px 0 var(--blue); }
.count { background: var(--red); color: #fff; border-radius: 999px; padding: 0 0.45rem; font-size: 0.78rem; font-weight: 700; min-width: 1.3rem; text-align: center; }
.conn { display: inline-flex; align-items: center; gap: 0.4rem; color: var(--muted); font-size: 0.85rem; }
.conn::before { content: ""; width: 0.6rem; height: 0.6rem; border-radius: 50%; background: var(--grey); }
.conn[data-conn="live"] { color: var(--green); } .conn[data-conn="live"]::before { background: var(--green); box-shadow: 0 0 0.5rem var(--green); }
.conn[data-conn="reconnecting"] { color: var(--amber); } .conn[data-conn="reconnecting"]::before { background: var(--amber); }
.conn[data-conn="unauthorized"] { color: var(--red); } .conn[data-conn="unauthorized"]::before { background: var(--red); }
.clock { font-family: var(--mono); font-size: 1.05rem; color: var(--text); font-variant-numeric: tabular-nums; }

/* controls */
button { font: inherit; color: var(--text); background: var(--panel-2); border: 1px solid var(--border); border-radius: 6px; padding: 0.35rem 0.85rem; cursor: pointer; }
button:hover:not(:disabled) { border-color: var(--muted); }
button:disabled { opacity: 0.45; cursor: default; }
button:focus-visible, a:focus-visible, input:focus-visible { outline: 2px solid var(--blue); outline-offset: 2px; }
button.ghost { background: transparent; }
button.primary { background: #1f6feb; border-color: #388bfd; font-weight: 600; }
button.danger { border-color: rgba(248, 81, 73, 0.6); color: var(--red); }
button.ack, button.reset { border-color: rgba(88, 166, 255, 0.6); color: var(--blue); font-weight: 600; }
#large-toggle .bigger { font-size: 1.3em; margin-left: 0.05em; }
#large-toggle[aria-pressed="true"] { border-color: var(--blue); color: var(--blue); }
input[type="search"], input[type="password"] { font: inherit; color: var(--text); background: var(--bg); border: 1px solid var(--border); border-radius: 6px; padding: 0.4rem 0.7rem; min-width: 16rem; }

/* layout */
main { padding: 1rem 1.25rem 2rem; }
.panel { background: var(--panel); border: 1px solid var(--border); border-radius: 10px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
.toolbar { display: flex; align-items: center; flex-wrap: wrap; gap: 0.75rem; margin-bottom: 0.85rem; }
.toolbar h1, .toolbar h2 { margin: 0; }
.columns { display: grid; grid-template-columns: minmax(0, 1.7fr) minmax(0, 1fr); gap: 1rem; align-items: start; }
.columns > .panel { margin: 0; }
.columns + .panel { margin-top: 1rem; }
@media (max-width: 1100px) { .columns { grid-template-columns: 1fr; } }
.footer { margin-top: 0.6rem; font-size: 0.85rem; }
.note { color: var(--muted); margin: 0.5rem 0; }
.note.error { color: var(--red); }
.empty:empty { display: none; }

/* badges and chips */
.badge { display: inline-block; padding: 0.1rem 0.6rem; border-radius: 999px; font-size: 0.82rem; font-weight: 650; letter-spacing: 0.02em;
  color: var(--tone); background: color-mix(in srgb, var(--tone) 16%, transparent); border: 1px solid color-mix(in srgb, var(--tone) 45%, transparent); white-space: nowrap; }
.chips { display: flex; flex-wrap: wrap; gap: 0.4rem; }
.chip { display: inline-flex; gap: 0.45rem; align-items: center; border-radius: 999px; padding: 0.25rem 0.75rem; background: transparent; text-transform: capitalize; }
.chip .n { color: var(--muted); font-variant-numeric: tabular-nums; font-weight: 700; }
.chip:not(.all) .label::before { content: ""; display: inline-block; width: 0.55rem; height: 0.55rem; border-radius: 50%; background: var(--tone); margin-right: 0.4rem; }
.chip[aria-pressed="true"] { border-color: var(--tone, var(--blue)); background: color-mix(in srgb, var(--tone) 18%, transparent); }
.chip.all[aria-pressed="true"] { border-color: var(--blue); background: color-mix(in srgb, var(--blue) 18%, transparent); }
.tags { display: flex; flex-wrap: wrap; gap: 0.35rem; list-style: none; padding: 0; margin: 0.6rem 0 0; }
.tags li { border: 1px solid var(--border); border-radius: 6px; padding: 0.1rem 0.5rem; font-size: 0.85rem; color: var(--muted); }
.count-tag { margin-left: 0.4rem; color: var(--amber); font-weight: 700; }
.dot { display: inline-block; width: 0.6rem; height: 0.6rem; border-radius: 50%; background: var(--tone); }

/* tables */
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; }
th { text-align: left; color: var(--muted); font-weight: 600; font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.06em; padding: 0.4rem 0.6rem; border-bottom: 1px solid var(--border); white-space: nowrap; }
td { padding: 0.5rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: middle; }
tbody tr:last-child td { border-bottom: 0; }
td.time { white-space: nowrap; font-family: var(--mono); font-size: 0.88rem; color: var(--muted); }
td.error { color: var(--red); }
table.tasks tbody tr { cursor: pointer; }
table.tasks tbody tr:hover, table.escalations tbody tr:hover { background: var(--panel-2); }
table.tasks td.status { width: 7.5rem; }
table.tasks tr[data-status="failed"] td.id a { color: var(--red); }
@keyframes flash { from { background: rgba(88, 166, 255, 0.28); } to { background: transparent; } }
tr.flash { animation: flash 1.8s ease-out; }

/* task page */
.back { margin-right: 0.25rem; }
.task-head { border-left: 4px solid var(--tone); }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr)); gap: 0.4rem 1.25rem; margin: 0; }
.facts dt { color: var(--muted); font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.06em; }
.facts dd { margin: 0 0 0.3rem; overflow-wrap: anywhere; }
.fact-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 0.5rem 1.5rem; margin: 0; }
.fact dt { color: var(--muted); font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.06em; }
.fact dd { margin: 0; overflow-wrap: anywhere; }
.chart-wrap { overflow-x: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 1.25rem; list-style: none; padding: 0; margin: 0.5rem 0 0; color: var(--muted); font-size: 0.85rem; }
.legend i { display: inline-block; width: 1.4rem; height: 0.8rem; border-radius: 3px; margin-right: 0.4rem; vertical-align: middle; border: 2px solid var(--border); }
.legend .current i { border-color: var(--tone, var(--amber)); background: color-mix(in srgb, var(--amber) 30%, transparent); }
.legend .visited i { border-color: var(--blue); background: #1a2a40; }
.legend .unvisited i { border-color: #30363d; }
.legend .taken i { border: 0; border-top: 3px solid var(--blue); border-radius: 0; height: 0; }
.timeline tr.last td { font-weight: 600; }
.timeline td.stay.live { color: var(--blue); }
.timeline .to { font-weight: 650; }
.agents-tried { display: grid; gap: 0.75rem; }
.agent-attempts { border: 1px solid var(--line); border-radius: 8px; padding: 0.6rem 0.8rem; background: var(--bg); }
.agent-attempts ol { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.45rem; }
.attempt { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: baseline; }
.attempt-n { color: var(--muted); font-variant-numeric: tabular-nums; min-width: 1.8rem; }
.attempt .code { color: var(--red); font-weight: 600; }
.attempt .msg { flex-basis: 100%; color: var(--muted); font-size: 0.88rem; padding-left: 2.3rem; }
.result { border-left: 4px solid var(--tone, var(--border)); }
.result h2 { color: var(--tone); }
.result:not([class*="tone-"]) h2 { color: var(--text); }
pre.json { margin: 0; padding: 0.75rem 1rem; background: var(--bg); border: 1px solid var(--line); border-radius: 8px; overflow: auto; max-height: 24rem; font: 0.9rem/1.5 var(--mono); }
details.panel summary { cursor: pointer; font-weight: 600; }
details.panel[open] summary { margin-bottom: 0.6rem; }
h2 .n, h1 .n { color: var(--muted); font-weight: 500; margin-left: 0.3rem; }

/* statechart */
svg.statechart { width: 100%; min-width: 52rem; max-height: 34rem; display: block; margin: 0 auto; font-family: var(--sans); }
.statechart .state rect { fill: var(--bg); stroke: #30363d; stroke-width: 1.5; }
.statechart .state rect.inner { fill: none; stroke: #30363d; stroke-width: 1; }
.statechart .state text { fill: var(--dim); font-size: 15px; font-weight: 600; }
.statechart .state.visited rect { fill: #15233a; stroke: var(--blue); stroke-width: 2; }
.statechart .state.visited rect.inner { fill: none; stroke: color-mix(in srgb, var(--blue) 50%, transparent); }
.statechart .state.visited text { fill: var(--text); }
.statechart .state.current rect { fill: color-mix(in srgb, var(--tone) 28%, var(--bg)); stroke: var(--tone); stroke-width: 3.5; filter: drop-shadow(0 0 6px var(--tone)); }
.statechart .state.current rect.inner { fill: none; stroke: var(--tone); stroke-width: 1.5; filter: none; }
.statechart .state.current text { fill: #fff; font-weight: 750; }
.statechart .edge { fill: none; stroke: #3d444d; stroke-width: 1.6; }
.statechart .edge.broad { stroke: #3d444d; stroke-dasharray: 6 4; stroke-width: 1.4; }
.statechart .edge.self { stroke: #3d444d; stroke-width: 1.2; }
.statechart .composite-box { fill: rgba(88, 166, 255, 0.03); stroke: #3d444d; stroke-width: 1.4; stroke-dasharray: 7 5; }
.statechart .composite-label { fill: var(--dim); font-size: 12px; font-style: italic; }
.statechart .arrowhead.group { fill: #586069; }
.statechart .edge.visited { stroke: var(--blue); stroke-width: 3; stroke-dasharray: none; }
.statechart .arrowhead.plain { fill: #484f58; }
.statechart .arrowhead.visited { fill: var(--blue); }
.statechart .initial circle { fill: var(--blue); }
.statechart .edge-label { fill: var(--dim); font-size: 11px; font-family: var(--mono); paint-order: stroke; stroke: var(--panel); stroke-width: 5px; stroke-linejoin: round; }
.statechart .edge-label.visited { fill: #9ecbff; font-weight: 700; }
.statechart .edge-label.group { fill: var(--muted); }

/* agents */
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); gap: 1rem; }
.card { background: var(--bg); border: 1px solid var(--border); border-radius: 10px; padding: 0.9rem 1.1rem; display: flex; flex-direction: column; gap: 0.5rem; }
.card header, .card footer { display: flex; align-items: center; gap: 0.5rem; }
.card header h2 { margin: 0; font-size: 1.15rem; }
.card.circuit-open { border-color: color-mix(in srgb, var(--red) 70%, transparent); box-shadow: 0 0 0 1px color-mix(in srgb, var(--red) 40%, transparent); }
.card.circuit-half-open { border-color: color-mix(in srgb, var(--amber) 70%, transparent); }
.card .facts { grid-template-columns: 6.5rem 1fr; align-items: center; gap: 0.5rem 0.75rem; }
.card .facts dd { margin: 0; }
.big { font-size: 1.3rem; font-weight: 700; }
.meter { display: block; height: 0.45rem; background: var(--line); border-radius: 999px; overflow: hidden; margin-top: 0.3rem; }
.meter .fill { display: block; height: 100%; background: var(--tone); border-radius: 999px; }

/* escalations */
.group { margin-bottom: 1.5rem; }
.group:last-child { margin-bottom: 0; }
.group h2 { display: flex; align-items: baseline; gap: 0.25rem; margin-bottom: 0.2rem; }
.group-open h2 { color: var(--red); }
.group-acknowledged h2 { color: var(--amber); }
.group-resolved h2 { color: var(--green); }
.channels { list-style: none; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.3rem 0.7rem; }
.channel .mark { font-weight: 700; }
.channel.delivered .mark { color: var(--green); }
.channel.undelivered .mark { color: var(--red); }
.channel.pending .mark { color: var(--amber); }
tr.sev-critical td:first-child, tr.sev-high td:first-child { box-shadow: inset 3px 0 0 var(--red); }
tr.sev-medium td:first-child { box-shadow: inset 3px 0 0 var(--amber); }
td.actions { text-align: right; }

/* supervisor */
.health-components li { display: inline-flex; align-items: center; gap: 0.35rem; color: var(--text); }
table.recoveries tr.recovered td { color: var(--text); }
.section-gap { margin-top: 1.25rem; }
.unavailable { padding: 1.5rem 0; text-align: center; font-size: 1.1rem; }

/* sign-in and toasts */
.overlay { position: fixed; inset: 0; z-index: 50; display: grid; place-items: center; background: rgba(1, 4, 9, 0.88); }
.login { width: min(30rem, 92vw); display: grid; gap: 0.7rem; padding: 1.5rem 1.75rem; margin: 0; }
.login input { width: 100%; min-width: 0; font-size: 1.05rem; }
#toasts { position: fixed; right: 1.25rem; bottom: 1.25rem; display: grid; gap: 0.5rem; z-index: 60; max-width: min(32rem, 90vw); }
.toast { background: var(--panel-2); border: 1px solid var(--border); border-left: 4px solid var(--blue); border-radius: 8px; padding: 0.6rem 0.9rem; box-shadow: 0 8px 24px rgba(0, 0, 0, 0.4); }
.toast.ok { border-left-color: var(--green); }
.toast.error { border-left-color: var(--red); }
`;

// Bar widths in 5% steps: the CSP forbids inline style attributes, so widths are classes.
const widths = Array.from({ length: 21 }, (_, i) => `.w${i * 5} { width: ${i * 5}%; }`).join('\n');

/** The stylesheet. @internal */
export const styleCss = `${css}${widths}\n`;
