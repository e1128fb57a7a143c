/**
 * GET /: a plain page that tells a person where things are. The staff console replaces it
 * when it lands (web/); until then it lists the endpoints and how to get a token.
 */
import type { FastifyInstance } from 'fastify';

export async function homePlugin(app: FastifyInstance, options: { baseUrl: string; version: string }): Promise<void> {
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Longitude hub</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}code{background:#f1f1f1;padding:0 .25rem}</style>
</head><body>
<h1>Longitude hub ${options.version}</h1>
<p>One trusted record per person across your systems.</p>
<ul>
<li>FHIR R4 API: <a href="${options.baseUrl}/fhir/R4/metadata">${options.baseUrl}/fhir/R4</a> (bearer token required except for <code>metadata</code>)</li>
<li>Health: <a href="${options.baseUrl}/healthz">/healthz</a>, readiness: <a href="${options.baseUrl}/readyz">/readyz</a></li>
<li>Metrics (Prometheus): <a href="${options.baseUrl}/metrics">/metrics</a></li>
</ul>
<p>Get a token: <code>npx longitude token --role care-manager</code></p>
</body></html>`;
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
}
