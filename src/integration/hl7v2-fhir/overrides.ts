/**
 * Per-channel mapping overrides: what differs between senders is configuration, not code.
 * The shape is validated with zod when a channel is configured (docs/integration.md lists
 * every setting), and a bad setting fails with the setting's path and what to write instead.
 *
 * The set is deliberately small:
 * - `identifierSystems`: assigning authority (CX.4 / EI.2 namespace or universal id) → URI;
 * - `timeZone`: the sender's IANA zone, for times sent without an offset (hl7-dates.ts);
 * - `zSegments`: Z-segment fields → extensions on the message's main resource of a type;
 * - `fieldOverrides`: a few relocations of a field's value to another element.
 */
import { z } from 'zod';
import { LongitudeError } from '../../platform/errors.ts';

/** The elements a field may be relocated to (applied after the standard maps). */
export const fieldTargets = [
  'Encounter.location.display',
  'Encounter.serviceType.text',
  'Patient.identifier',
  'Patient.generalPractitioner.display',
] as const;
export type FieldTarget = (typeof fieldTargets)[number];

export const extensionValueTypes = ['string', 'code', 'integer', 'decimal', 'boolean', 'dateTime'] as const;

const uri = z.string().regex(/^(urn:[a-z0-9][a-z0-9-]*:\S+|https?:\/\/\S+)$/i, 'must be an absolute URI (urn:oid:…, urn:uuid:…, http(s)://…)');
const hl7Path = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{2}-\d{1,3}(\.\d{1,3}(\.\d{1,3})?)?$/, 'must be an HL7 location such as PV1-3.1 or ZPD-2');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const zFieldRule = z
  .object({
    field: z.number().int().min(1),
    component: z.number().int().min(1).optional(),
    /** `Patient.extension`: an extension on the first resource of that type the message maps to. */
    target: z.string().regex(/^[A-Z][A-Za-z]+\.extension$/, 'must be <ResourceType>.extension, e.g. Patient.extension'),
    url: uri,
    valueType: z.enum(extensionValueTypes).default('string'),
  })
  .strict();

const fieldOverride = z
  .object({
    path: hl7Path,
    target: z.enum(fieldTargets),
    /** Patient.identifier only: the system of the identifier the value becomes. */
    system: uri.optional(),
  })
  .strict()
  .refine((o) => o.target !== 'Patient.identifier' || o.system !== undefined, { message: 'Patient.identifier needs a system', path: ['system'] });

export const mappingOverridesSchema = z
  .object({
    identifierSystems: z.record(z.string().min(1), uri).optional(),
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Paris').optional(),
    zSegments: z.record(z.string().regex(/^Z[A-Z0-9]{2}$/, 'Z-segment names are Z plus two letters or digits'), z.array(zFieldRule)).optional(),
    fieldOverrides: z.array(fieldOverride).optional(),
  })
  .strict();

export type MappingOverrides = z.output<typeof mappingOverridesSchema>;
export type MappingOverridesInput = z.input<typeof mappingOverridesSchema>;
export type ZFieldRule = z.output<typeof zFieldRule>;

/**
 * Validates a channel's overrides (parsed JSON); throws LNG_CONFIG_INVALID naming each bad setting.
 * @param value - the channel's `mapping` object from configuration
 * @param channel - for the error message
 */
export function parseMappingOverrides(value: unknown, channel = 'channel'): MappingOverrides {
  const result = mappingOverridesSchema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const at = ['mapping', ...issue.path.map(String)].join('.');
    return { severity: 'error' as const, code: 'invalid' as const, diagnostics: `${channel}: ${at}: ${issue.message}`, expression: [at] };
  });
  throw new LongitudeError('LNG_CONFIG_INVALID', issues.map((i) => i.diagnostics).join('; '), { issues });
}
