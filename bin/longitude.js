#!/usr/bin/env node
// The `longitude` command. TypeScript sources run through tsx's loader, so there is no
// build step between a checkout and a working CLI (`npm install && npm start`).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
