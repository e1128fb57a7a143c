/**
 * FHIR Bundles and NDJSON files into the record, through the message store: each file (or
 * NDJSON line) is a message; its handler makes an idempotent transaction with Provenance.
 */
export { FHIR_IMPORT_VERSION, FhirFileHandler, fhirFileMessage, type FhirFileHandlerOptions } from './fhir-file-handler.ts';
export { toIdempotentEntries } from './idempotent-transaction.ts';
