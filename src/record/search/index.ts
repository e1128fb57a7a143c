export { FhirSearchIndexer, extractIndexRows } from './search-indexer.ts';
export { SearchService, type SearchOptions, type SearchResult } from './search-service.ts';
export { searchParametersOf, indexedTypes, resourceColumnParameters, type IndexedParameter, type IndexedType } from './search-parameters.ts';
export { buildSearchBundle, bundleJson, searchBundleText, type JsonEntry, type StoredJson } from './searchset-bundle.ts';
export { SearchParameterRegistry, builtInSearchParameters, type SearchParameterLookup } from './search-parameter-registry.ts';
export { fullTextParameters } from './search-text.ts';
