import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import { runOperations } from './load-run.ts';

/** A loopback server that answers 200 (500 under /fail) and records the paths each connection asked for. */
let server: Server;
let url: string;
const pathsBySocket = new Map<Socket, string[]>();

before(async () => {
  server = createServer((request, response) => {
    const paths = pathsBySocket.get(request.socket) ?? [];
    pathsBySocket.set(request.socket, paths);
    paths.push(request.url!);
    response.writeHead(request.url!.startsWith('/fail') ? 500 : 200, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('a paged operation requests its pages in order on one connection and counts once', async () => {
  pathsBySocket.clear();
  const figures = await runOperations({ url, headers: {}, operations: [['/a/1', '/a/2'], ['/b/1', '/b/2']], connections: 2, seconds: 1 });
  const sequences = [...pathsBySocket.values()];
  for (const paths of sequences) {
    paths.forEach((path, i) => {
      const [, op, page] = path.split('/');
      assert.equal(page, i % 2 === 0 ? '1' : '2', `${paths.slice(0, 6).join(' ')}...`);
      if (page === '2') assert.equal(paths[i - 1], `/${op}/1`);
    });
  }
  const lastPages = sequences.flat().filter((p) => p.endsWith('/2')).length;
  assert.ok(figures.ops > 0);
  // Each operation is measured once, when its last page is answered; a run may end with a
  // last page asked but not yet answered on each connection.
  assert.ok(figures.ops <= lastPages && figures.ops >= lastPages - 2, `${figures.ops} operations, ${lastPages} last pages`);
  assert.equal(figures.failures, 0);
  assert.ok(figures.p50 <= figures.p95 && figures.p95 <= figures.p99);
  assert.ok(figures.requestsPerSecond >= figures.opsPerSecond * 1.5);
});

test('a non-2xx page fails its operation and the run', async () => {
  const figures = await runOperations({ url, headers: {}, operations: [['/ok/1', '/fail/2']], connections: 1, seconds: 1 });
  assert.ok(figures.ops > 0);
  assert.ok(figures.failures >= 2 * figures.ops, `${figures.failures} failures for ${figures.ops} operations`);
});

test('operations must have the same number of pages', async () => {
  await assert.rejects(runOperations({ url, headers: {}, operations: [['/a'], ['/b', '/c']], connections: 1, seconds: 1 }), /equal length/);
});
