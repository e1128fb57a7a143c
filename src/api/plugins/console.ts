/**
 * The staff console at / (web/, built to web/dist by scripts/build-console.mjs): hashed assets
 * under /assets are immutable for a year, index.html is revalidated on every load so a new
 * build is picked up at once, and any other GET that wants HTML and is not an API path gets
 * index.html, so the console's own routes (/person/123) survive a reload or a shared link.
 * API paths, and requests that do not accept HTML, still get the OperationOutcome 404.
 * Without a build (a checkout that has not run `npm install`) the plain home page stays.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { homePlugin } from './home.ts';

export const defaultConsoleDir = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** First path segments that belong to the API, never to the console. */
const apiSegments = new Set(['fhir', 'identity', 'signals', 'admin', 'auth', 'cds-services', 'metrics', 'healthz', 'readyz', 'assets']);

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const immutable = 'public, max-age=31536000, immutable';
const revalidate = 'no-cache';

/**
 * The console only talks to its own origin; inline style attributes are what the chart library
 * draws with. frame-ancestors: a record of care is not to be framed by another site.
 */
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

export interface ConsoleOptions {
  baseUrl: string;
  version: string;
  /** The built console; defaults to web/dist of this checkout. */
  dir?: string;
}

/** A file under dir named by a URL path, or null when the path leaves dir or names nothing. */
async function fileUnder(dir: string, urlPath: string): Promise<Buffer | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const path = resolve(dir, `.${decoded}`);
  if (!path.startsWith(dir + sep)) return null;
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

function acceptsHtml(request: FastifyRequest): boolean {
  return /text\/html|\*\/\*/.test(request.headers.accept ?? '') && !/application\/(fhir\+)?json/.test(request.headers.accept ?? '');
}

export async function consolePlugin(app: FastifyInstance, options: ConsoleOptions): Promise<void> {
  const dir = resolve(options.dir ?? defaultConsoleDir);
  if (!existsSync(join(dir, 'index.html'))) {
    await homePlugin(app, options);
    return;
  }

  const sendIndex = async (reply: FastifyReply) => {
    const page = await fileUnder(dir, '/index.html');
    if (!page) return reply.callNotFound();
    return reply
      .type(contentTypes['.html']!)
      .header('cache-control', revalidate)
      .header('content-security-policy', contentSecurityPolicy)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .send(page);
  };

  const sendFile = async (reply: FastifyReply, root: string, urlPath: string, cacheControl: string) => {
    const body = await fileUnder(root, urlPath);
    if (!body) return reply.callNotFound();
    return reply
      .type(contentTypes[extname(urlPath).toLowerCase()] ?? 'application/octet-stream')
      .header('cache-control', cacheControl)
      .header('x-content-type-options', 'nosniff')
      .send(body);
  };

  app.get('/', async (_request, reply) => sendIndex(reply));

  // Vite names every file under assets/ by its content hash: a changed file gets a new name.
  const assets = join(dir, 'assets');
  app.get('/assets/*', async (request, reply) => sendFile(reply, assets, request.url.split('?')[0]!.slice('/assets'.length), immutable));

  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const segment = path.split('/')[1] ?? '';
    if (apiSegments.has(segment)) return reply.callNotFound();
    // A file at the top of the build (favicon.svg): not hashed, so revalidated.
    if (extname(path) !== '') return sendFile(reply, dir, path, revalidate);
    if (!acceptsHtml(request)) return reply.callNotFound();
    return sendIndex(reply);
  });
}
