import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildApp, type App } from '../app.ts';
import { testDatabases } from '../../test-support/test-db.ts';
import { openTestHub, type TestHub } from '../../test-support/test-hub.ts';

/** A console build as Vite lays it out: index.html, hashed assets, an unhashed file at the top. */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lng-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><html lang="en"><head><title>Longitude console</title><script type="module" src="/assets/index-Ab12Cd34.js"></script></head><body><div id="root"></div></body></html>');
  writeFileSync(join(dir, 'assets', 'index-Ab12Cd34.js'), 'console.log("console");');
  writeFileSync(join(dir, 'assets', 'index-Ef56Gh78.css'), 'body{margin:0}');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return dir;
}

const html = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

for (const backend of testDatabases()) {
  describe(`console served by the hub on ${backend.kind}`, () => {
    let t: TestHub;
    let app: App;
    let bare: App;
    before(async () => {
      t = await openTestHub(await backend.open());
      const storedTypes = ['Patient', 'Observation'];
      app = await buildApp(t.hub, { storedTypes, consoleDir: fakeBuild() });
      bare = await buildApp(t.hub, { storedTypes, consoleDir: join(tmpdir(), 'lng-console-never-built') });
    });
    after(async () => {
      await app.fastify.close();
      await bare.fastify.close();
      await t.close();
    });

    const get = (url: string, headers: Record<string, string> = html, on = app) => on.fastify.inject({ method: 'GET', url, headers });

    test('/ serves index.html, revalidated on every load, with a content security policy', async () => {
      const res = await get('/');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
      assert.match(res.body, /<div id="root">/);
    });

    test('a console route deep link gets index.html (history routing survives a reload)', async () => {
      for (const url of ['/person/4908fc8d-994d-48c6', '/work-queue?kind=care-gap', '/identity-review', '/login']) {
        const res = await get(url);
        assert.equal(res.statusCode, 200, url);
        assert.match(res.body, /<div id="root">/, url);
        assert.equal(res.headers['cache-control'], 'no-cache', url);
      }
    });

    test('hashed assets carry their content type and are immutable; top-level files are revalidated', async () => {
      const js = await get('/assets/index-Ab12Cd34.js', {});
      assert.equal(js.statusCode, 200);
      assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
      assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
      assert.equal(js.headers['x-content-type-options'], 'nosniff');
      const css = await get('/assets/index-Ef56Gh78.css', {});
      assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
      const icon = await get('/favicon.svg', {});
      assert.equal(icon.headers['content-type'], 'image/svg+xml');
      assert.equal(icon.headers['cache-control'], 'no-cache');
    });

    test('API paths and missing files still answer a 404 OperationOutcome, even to a browser', async () => {
      for (const url of ['/fhir/R4/Patient/1/extra/segments', '/identity/nothing/here/at/all', '/admin/no-such-thing', '/signals/x/y/z', '/assets/index-missing.js', '/assets/%2e%2e/%2e%2e/package.json', '/%2e%2e/package.json', '/robots.txt']) {
        const res = await get(url);
        assert.equal(res.statusCode, 404, url);
        assert.equal(res.headers['content-type'], 'application/fhir+json; charset=utf-8', url);
        assert.equal(res.json().resourceType, 'OperationOutcome', url);
      }
    });

    test('a client that does not accept HTML gets the OperationOutcome, not the console', async () => {
      const res = await get('/person/123', { accept: 'application/fhir+json' });
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().issue[0].code, 'not-found');
    });

    test('API routes are untouched by the console fallback', async () => {
      const res = await get('/fhir/R4/metadata', { accept: 'application/fhir+json' });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().resourceType, 'CapabilityStatement');
      const unauthenticated = await get('/signals', html);
      assert.equal(unauthenticated.statusCode, 401);
    });

    test('without a console build the plain home page stays at /', async () => {
      const res = await get('/', html, bare);
      assert.equal(res.statusCode, 200);
      assert.match(res.body, /Longitude hub/);
      assert.equal((await get('/person/1', html, bare)).statusCode, 404);
    });
  });
}
