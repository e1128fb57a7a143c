/**
 * CSV extracts into the record: a streaming RFC 4180 reader that keeps each row's bytes,
 * declarative mapping files (docs/integration.md, "CSV mapping files"), row validation, a
 * row mapper, and the message handler the MessageProcessor runs for `csv:<source>` channels.
 */
export { CsvScanner, parseCsvBytes, readCsvFile, splitRecord, type CsvReaderOptions, type CsvRecord, type CsvSyntaxError } from './csv-reader.ts';
export { CsvMessageHandler, csvChannel, csvRowMessage, rowRecordSystem } from './csv-handler.ts';
export { csvMappingSchema, MAPPING_FORMAT, parseCsvMapping, type ColumnSpec, type CsvMapping, type ResourceSpec } from './mapping-file.ts';
export { mapRow, toEntries, type PlannedResource } from './row-mapper.ts';
export { validateRow, type RowProblem, type RowValidation, type TypedRow } from './row-validation.ts';
export { loadMappingFile, shippedMappingFiles, shippedMappings } from './shipped-mappings.ts';
