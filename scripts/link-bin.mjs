#!/usr/bin/env node
// `npx longitude` looks in node_modules/.bin, where npm links the bins of dependencies but
// not the project's own. This links ours there after `npm install` / `npm ci` (prepare).
import { chmodSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const binDir = join(root, 'node_modules', '.bin');
mkdirSync(binDir, { recursive: true });
const link = join(binDir, 'longitude');
rmSync(link, { force: true });
symlinkSync(join('..', '..', 'bin', 'longitude.js'), link);
chmodSync(join(root, 'bin', 'longitude.js'), 0o755);
