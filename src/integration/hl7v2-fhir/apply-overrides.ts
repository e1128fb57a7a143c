/**
 * Applies a channel's overrides (overrides.ts) after the standard maps: field relocations and
 * Z-segment fields as extensions, both on the message's main resource of the target type
 * (the first one the message maps to: its Patient, its Encounter).
 */
import type { Encounter, Extension, Patient, Resource } from '@medplum/fhirtypes';
import { HandlerError } from '../message-store/message-processor.ts';
import type { BundleBuilder } from './bundle-builder.ts';
import type { MappingContext } from './context.ts';
import { toFhirDateTime } from './hl7-dates.ts';
import type { FieldTarget, MappingOverrides, ZFieldRule } from './overrides.ts';
import { segmentsNamed, valued } from './segments.ts';

type FieldOverride = NonNullable<MappingOverrides['fieldOverrides']>[number];

/** How each relocation target takes its value. */
const relocations: Record<FieldTarget, (resource: Resource, value: string, rule: FieldOverride) => Resource> = {
  'Encounter.location.display': (r, value) => {
    const encounter = r as Encounter;
    const [first, ...rest] = encounter.location ?? [];
    return { ...encounter, location: [first ? { ...first, location: { ...first.location, display: value } } : { location: { display: value }, status: 'active' }, ...rest] };
  },
  'Encounter.serviceType.text': (r, value) => ({ ...(r as Encounter), serviceType: { ...(r as Encounter).serviceType, text: value } }),
  'Patient.identifier': (r, value, rule) => ({ ...(r as Patient), identifier: [...((r as Patient).identifier ?? []), { system: rule.system!, value }] }),
  'Patient.generalPractitioner.display': (r, value) => {
    const [first, ...rest] = (r as Patient).generalPractitioner ?? [];
    return { ...(r as Patient), generalPractitioner: [{ ...first, display: value }, ...rest] };
  },
};

/** A Z-segment value as the extension's value[x] of the configured type. */
function extensionValue(text: string, rule: ZFieldRule, element: string, ctx: MappingContext): Extension {
  const bad = (what: string) => new HandlerError({ stage: 'map', code: 'invalid-value', message: `${element} "${text}" is not ${what} (channel mapping for ${rule.url})`, element });
  switch (rule.valueType) {
    case 'string':
      return { url: rule.url, valueString: text };
    case 'code':
      if (/\s{2,}|^\s|\s$/.test(text)) throw bad('a code');
      return { url: rule.url, valueCode: text };
    case 'integer':
      if (!/^[+-]?\d{1,9}$/.test(text)) throw bad('an integer');
      return { url: rule.url, valueInteger: Number(text) };
    case 'decimal':
      if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text)) throw bad('a decimal');
      return { url: rule.url, valueDecimal: Number(text) };
    case 'boolean': {
      const flag = { Y: true, N: false, TRUE: true, FALSE: false, '1': true, '0': false }[text.toUpperCase()];
      if (flag === undefined) throw bad('a boolean (Y/N)');
      return { url: rule.url, valueBoolean: flag };
    }
    case 'dateTime':
      return { url: rule.url, valueDateTime: toFhirDateTime(text, element, ctx.zones) };
  }
}

export function applyOverrides(ctx: MappingContext, builder: BundleBuilder): void {
  for (const rule of ctx.overrides.fieldOverrides ?? []) {
    const value = valued(ctx.message.get(rule.path));
    const resource = builder.first(rule.target.split('.')[0] as Resource['resourceType']);
    if (value && resource) builder.update(resource, (r) => relocations[rule.target](r, value, rule));
  }
  for (const [name, rules] of Object.entries(ctx.overrides.zSegments ?? {})) {
    for (const seg of segmentsNamed(ctx.message, name)) {
      for (const rule of rules) {
        const value = seg.text(rule.field, rule.component ?? 1);
        const resource = builder.first(rule.target.split('.')[0] as Resource['resourceType']);
        if (!value || !resource) continue;
        const extension = extensionValue(value, rule, seg.element(rule.field, rule.component), ctx);
        builder.update(resource, (r) => ({ ...r, extension: [...((r as { extension?: Extension[] }).extension ?? []), extension] }) as Resource);
      }
    }
  }
}
