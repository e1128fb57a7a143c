#!/usr/bin/env node
// Builds the staff console (web/) into web/dist, which the hub serves at / (src/api/plugins/console.ts).
// Runs from `prepare` (so `npm install` / `npm ci` build it) and before `npm start` with
// --if-stale, which skips the build when web/dist is newer than every source file.
// The console is typechecked here (tsc -p web) because the root tsconfig is the server's.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url).pathname;
const web = join(root, 'web');
const built = join(web, 'dist', 'index.html');

function newestMtime(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

function isStale() {
  if (!existsSync(built)) return true;
  const sources = ['src', 'public', 'index.html', 'vite.config.ts', 'tsconfig.json'].map((p) => join(web, p)).filter((p) => existsSync(p));
  return Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs;
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const started = Date.now();
const require = createRequire(import.meta.url);
let tsc = null;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  // A production install (--omit=dev) has no TypeScript: build without the typecheck.
  console.warn('console: typescript is not installed; building without the typecheck');
}
if (tsc) {
  const typecheck = spawnSync(process.execPath, [tsc, '-p', web], { cwd: root, stdio: 'inherit' });
  if (typecheck.status !== 0) {
    console.error('console: typecheck failed (tsc -p web)');
    process.exit(typecheck.status ?? 1);
  }
}
const { build } = await import('vite');
await build({ root: web, configFile: join(web, 'vite.config.ts'), logLevel: 'warn' });
console.log(`console: built web/dist in ${((Date.now() - started) / 1000).toFixed(1)} s`);
