/**
 * `GET /`: the dashboard's one page. No inline script or style (the CSP forbids both); the
 * token form is here from the start, hidden until the API answers 401.
 * @internal
 */
export const indexHtml = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<meta name="referrer" content="no-referrer">
<title>Warden</title>
<link rel="icon" href="/dashboard/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/dashboard/style.css">
<script type="module" src="/dashboard/app.js"></script>
</head>
<body>
<header class="topbar">
  <a class="brand" href="#/tasks"><img src="/dashboard/favicon.svg" alt="" width="26" height="26"><span>Warden</span></a>
  <nav id="nav" aria-label="Dashboard">
    <a href="#/tasks" data-view="tasks">Tasks</a>
    <a href="#/escalations" data-view="escalations">Escalations <span class="count" id="open-escalations" title="open escalations" hidden></span></a>
    <a href="#/agents" data-view="agents">Agents</a>
    <a href="#/supervisor" data-view="supervisor">Supervisor</a>
  </nav>
  <div class="spacer"></div>
  <span id="conn" class="conn" data-conn="connecting" role="status" title="Live updates from /api/events">connecting…</span>
  <time id="clock" class="clock"></time>
  <button id="large-toggle" type="button" class="ghost" aria-pressed="false" title="Large type, for wall screens">A<span class="bigger">A</span></button>
  <button id="sign-out" type="button" class="ghost" hidden>Sign out</button>
</header>
<main id="view" tabindex="-1"></main>
<div id="toasts" aria-live="polite"></div>
<div id="login" class="overlay" hidden>
  <form id="login-form" class="panel login" autocomplete="off">
    <h1>Sign in to Warden</h1>
    <p id="login-reason" class="hint">This Warden needs an API token.</p>
    <label for="token">API token</label>
    <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit" class="primary">Sign in</button>
    <p class="hint small">The token stays in this tab's session storage and is sent only as an <code>authorization: Bearer</code> header. Closing the tab forgets it.</p>
  </form>
</div>
<noscript><p class="note error">The Warden dashboard needs JavaScript.</p></noscript>
</body>
</html>
`;
