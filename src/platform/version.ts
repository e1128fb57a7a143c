import { readFileSync } from 'node:fs';

/** The hub's version, from package.json. */
export const hubVersion: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
