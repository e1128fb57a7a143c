/**
 * HL7 v2 → FHIR R4 mapping (the integration layer's mapping stage): a message in, a FHIR
 * transaction Bundle out, following the HL7 V2-to-FHIR IG (http://hl7.org/fhir/uv/v2mappings/).
 * docs/integration.md describes the maps, identities, overrides and fidelity.
 */
export { MAPPING_VERSION, MappingContext, type MappingInput } from './context.ts';
export { mapHl7Message, mapHl7ToBundle, supportedMessageTypes, unsupportedReason } from './map-message.ts';
export { Hl7MessageHandler, type Hl7HandlerOptions } from './message-handler.ts';
export { mappingOverridesSchema, parseMappingOverrides, type MappingOverrides, type MappingOverridesInput } from './overrides.ts';
export { MAPPING_TAG_SYSTEM } from './bundle-builder.ts';
export { MESSAGE_STORE_SYSTEM } from './provenance.ts';
export { toFhirDate, toFhirDateTime, toFhirInstant } from './hl7-dates.ts';
