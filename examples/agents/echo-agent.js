/**
 * A tiny agent that Warden runs itself: the `echo-agent` of agents.config.json, declared with
 * `"process": { "command": "node", "args": ["examples/agents/echo-agent.js"], "env": { "PORT": "9101" } }`.
 * Warden starts it with `warden serve`, logs its output with the agent id, restarts it when it
 * exits and stops it (SIGTERM) on shutdown. Kill it (`kill <pid>`; the pid is in
 * `GET /api/supervisor/echo-agent`) and watch the supervisor bring it back.
 *
 * It speaks the Warden agent protocol: `POST /run` with `{ taskId, workflow, input, attempt, agent,
 * deadline }` answers `{ output: { echo: input, … } }`, and `GET /health` answers 200.
 */
import http from 'node:http';

const port = Number(process.env.PORT ?? 9101);
const host = process.env.HOST ?? '127.0.0.1';

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', pid: process.pid }));
    return;
  }
  if (req.method !== 'POST' || req.url !== '/run') {
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` } }));
    return;
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    let request;
    try {
      request = JSON.parse(body);
    } catch {
      res
        .writeHead(400, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: 'BAD_JSON', message: 'the body is not JSON' } }));
      return;
    }
    const output = { echo: request.input, taskId: request.taskId, attempt: request.attempt, answeredBy: `echo-agent (pid ${process.pid})` };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ output }));
  });
});

server.listen(port, host, () => console.log(`echo-agent listening on http://${host}:${port} (pid ${process.pid})`));
server.on('error', (err) => {
  console.error(`echo-agent: ${err.message}`);
  process.exit(1);
});

const stop = (signal) => {
  console.log(`echo-agent: ${signal}, closing`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
