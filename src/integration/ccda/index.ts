/**
 * C-CDA R1.1 / R2.x documents → FHIR R4 (the integration layer's C-CDA mapping stage): a
 * document in, a transaction Bundle and the list of what was not mapped out.
 * docs/integration.md ("C-CDA") describes the maps, identities and fidelity.
 */
export { mapCcdaToBundle, type CcdaMapping } from './map-ccda.ts';
export { CCDA_MAPPING_VERSION, type CcdaMapOptions, type Unmapped } from './ccda-context.ts';
export { CcdaMessageHandler, type CcdaHandlerOptions } from './ccda-message-handler.ts';
