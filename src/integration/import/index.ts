/**
 * Importing a directory of feeds (the silo simulator's output, a folder of FHIR Bundles or
 * NDJSON): detection, reading, storing, processing, and the per-silo summary.
 */
export { importHandlerFor, importHandlers } from './channel-handlers.ts';
export { detectSources, type DetectedSources, type FeedKind, type ImportFile, type ImportSource } from './detect-sources.ts';
export { importDirectory, type ImportDeps, type ImportOptions, type ImportResult } from './import-directory.ts';
export { formatSummary, type RejectionGroup, type SiloSummary } from './import-summary.ts';
export { readSource, type FeedItem } from './read-feeds.ts';
