import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { allowedMethods } from './allowedMethods.js';

const app = new Hono();
app.use('*', async (_c, next) => next());
app.get('/', (c) => c.text('home'));
app.get('/api/tasks/:id', (c) => c.text('task'));
app.post('/api/tasks/:id/cancel', (c) => c.text('cancel'));
app.delete('/api/silences/:id{[0-9a-f-]+}', (c) => c.text('expire'));
app.put('/api/animals/:kind?', (c) => c.text('animal'));
app.get('/files/*', (c) => c.text('file'));
const allowed = allowedMethods(() => app.routes);

describe('allowedMethods', () => {
  it.each([
    ['/', ['GET', 'HEAD']],
    ['/api/tasks/abc', ['GET', 'HEAD']],
    ['/api/tasks/abc/cancel', ['POST']],
    ['/api/silences/0f3a-9b', ['DELETE']],
    ['/api/animals', ['PUT']],
    ['/api/animals/cat', ['PUT']],
    ['/files/a/b.txt', ['GET', 'HEAD']],
  ])('serves %s for %j', (path, methods) => {
    expect(allowed(path)).toEqual(methods);
  });

  it.each(['/api/tasks', '/api/tasks/abc/', '/api/silences/not hex', '/api/tasks/a/b/cancel', '/nope'])(
    'knows no method for %s, where no route matches (middleware aside)',
    (path) => {
      expect(allowed(path)).toEqual([]);
    },
  );

  it('counts routes registered after the lookup was made', () => {
    app.patch('/late', (c) => c.text('late'));
    expect(allowed('/late')).toEqual(['PATCH']);
  });
});
