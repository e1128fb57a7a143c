/**
 * One Provenance per message (http://hl7.org/fhir/R4/provenance.html), in the same Bundle as
 * what it describes, following the V2-to-FHIR IG's MSH[Provenance-Source] map: the resources
 * written are its targets, the sending application (MSH-3) is the agent acting for the sending
 * facility (MSH-4), and the message itself is the source entity, named two ways: by the
 * message store id (where the raw bytes are kept) and by MSH-10, the id the sender knows.
 *
 * Provenance has no identifier element, so its conditional key is the message store entity:
 * `entity:identifier=urn:longitude:message-store|<id>` finds the one written the first time.
 */
import type { Provenance } from '@medplum/fhirtypes';
import { v2Table } from './coding.ts';
import { MAPPING_VERSION, type MappingContext } from './context.ts';
import { identifierCriteria, localSystem } from './identifiers.ts';
import { toFhirDateTime } from './hl7-dates.ts';
import type { Ref } from './bundle-builder.ts';

export const MESSAGE_STORE_SYSTEM = 'urn:longitude:message-store';

export function provenanceFor(ctx: MappingContext, targets: Ref[]): { resource: Provenance; criteria: string; mode: 'upsert' } {
  const { msh } = ctx;
  const type = ctx.message.messageType;
  const application = msh.text(3) ?? msh.text(3, 2);
  const facility = msh.text(4) ?? msh.text(4, 2);
  const sent = msh.text(7);
  const messageEntity = { system: MESSAGE_STORE_SYSTEM, value: ctx.input.messageId };
  const resource: Provenance = {
    resourceType: 'Provenance',
    // Never empty: every mapped message writes at least its Patient.
    target: targets,
    ...(sent ? { occurredDateTime: toFhirDateTime(sent, 'MSH-7', ctx.zones) } : {}),
    recorded: ctx.input.receivedAt.toISOString(),
    policy: [`urn:longitude:hl7v2-fhir:mapping/${MAPPING_VERSION}`],
    activity: {
      coding: [{ system: v2Table('0003'), code: type.trigger || type.code, display: [type.code, type.trigger, type.structure].filter(Boolean).join('^') }],
    },
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author' }] },
        who: {
          type: 'Device',
          identifier: { system: 'urn:longitude:hl7:sending-application', value: application ?? ctx.sender },
          display: `${application ?? ctx.sender} (MSH-3, channel ${ctx.input.channel})`,
        },
        ...(facility
          ? {
              onBehalfOf: {
                type: 'Organization',
                identifier: { system: 'urn:longitude:hl7:sending-facility', value: facility },
                display: `${facility} (MSH-4)`,
              },
            }
          : {}),
      },
    ],
    entity: [
      { role: 'source', what: { identifier: messageEntity, display: `inbound message ${ctx.input.messageId} on channel ${ctx.input.channel}` } },
      {
        role: 'source',
        what: {
          identifier: { system: localSystem(ctx, 'msh-10'), value: ctx.controlId },
          display: `${[type.code, type.trigger].filter(Boolean).join('^')} control id ${ctx.controlId}`,
        },
      },
    ],
  };
  return { resource, criteria: identifierCriteria(messageEntity, 'entity:identifier'), mode: 'upsert' };
}
