// The staff console's build: a static bundle in web/dist that the hub serves (src/api/plugins/console.ts).
// `npx vite web` runs a dev server that forwards the API to a hub on :8080.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const hub = 'http://localhost:8080';
const apiPrefixes = ['/auth', '/identity/', '/signals', '/admin', '/fhir', '/cds-services', '/healthz', '/readyz'];

export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: { proxy: Object.fromEntries(apiPrefixes.map((p) => [p, hub])) },
});
