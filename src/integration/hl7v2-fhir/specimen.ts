/**
 * SPM → Specimen (V2-to-FHIR IG SPM[Specimen] map: id SPM-2, type SPM-4, method SPM-7,
 * site SPM-8, quantity SPM-12, collection SPM-17, received SPM-18, condition SPM-24), and the
 * specimen an OBR describes (IG OBR[Specimen] map).
 *
 * Keyed by the specimen id (SPM-2, placer then filler part of the EIP) when sent, else by the
 * order and the SPM set id.
 */
import type { Specimen } from '@medplum/fhirtypes';
import type { BundleBuilder, Ref, WriteMode } from './bundle-builder.ts';
import { codeableConcept } from './coding.ts';
import type { MappingContext } from './context.ts';
import { cqQuantity, practitionerReference } from './datatypes.ts';
import { eiIdentifier, localIdentifier, localSystem } from './identifiers.ts';
import { sub, type Seg } from './segments.ts';

/** SPM → Specimen, not yet keyed. */
export function specimenFromSpm(spm: Seg, ctx: MappingContext, subject: Ref, request?: Ref): Specimen {
  const ids = [sub(spm.rep(2), 1), sub(spm.rep(2), 2)]
    .map((ei, i) => eiIdentifier(ei, ctx, { defaultSystem: localSystem(ctx, i === 0 ? 'spm-2-placer' : 'spm-2-filler'), type: i === 0 ? 'PLAC' : 'FILL' }))
    .filter((i) => i !== undefined);
  const type = codeableConcept(spm.rep(4), { table: '0487' });
  const start = ctx.dateTime(spm, 17, 1);
  const end = ctx.dateTime(spm, 17, 2);
  const received = ctx.dateTime(spm, 18);
  const bodySite = codeableConcept(spm.rep(8), { table: '0163' });
  const method = codeableConcept(spm.rep(7), { table: '0488' });
  const quantity = cqQuantity(spm.rep(12));
  const collection = {
    ...(start && end ? { collectedPeriod: { start, end } } : start ? { collectedDateTime: start } : {}),
    ...(quantity ? { quantity } : {}),
    ...(method ? { method } : {}),
    ...(bodySite ? { bodySite } : {}),
  };
  const condition = spm.reps(24).map((r) => codeableConcept(r, { table: '0493' })).filter((c) => c !== undefined);
  return {
    resourceType: 'Specimen',
    ...(ids.length > 0 ? { identifier: ids } : {}),
    ...(type ? { type } : {}),
    subject,
    ...(received ? { receivedTime: received } : {}),
    ...(request ? { request: [request] } : {}),
    ...(Object.keys(collection).length > 0 ? { collection } : {}),
    ...(condition.length > 0 ? { condition } : {}),
  };
}

/**
 * OBR → the Specimen the order's observations were made on (IG ORU_R01 message map: "the OBR
 * specimen data yields one Specimen resource"; OBR[Specimen] map): collection time OBR-7
 * (to OBR-8), volume OBR-9, collector OBR-10, source OBR-15 (SPS, or CWE from v2.7). None
 * when the OBR says nothing about a specimen.
 */
export function specimenFromObr(obr: Seg, ctx: MappingContext, subject: Ref, request?: Ref): Specimen | undefined {
  const type = codeableConcept(obr.rep(15), { table: '0070' });
  const start = ctx.dateTime(obr, 7);
  const end = ctx.dateTime(obr, 8);
  if (!type && !start) return undefined;
  const quantity = cqQuantity(obr.rep(9));
  const collector = practitionerReference(obr.rep(10), ctx);
  const collection = {
    ...(start && end ? { collectedPeriod: { start, end } } : start ? { collectedDateTime: start } : {}),
    ...(quantity ? { quantity } : {}),
    ...(collector ? { collector } : {}),
  };
  return {
    resourceType: 'Specimen',
    ...(type ? { type } : {}),
    subject,
    ...(request ? { request: [request] } : {}),
    ...(Object.keys(collection).length > 0 ? { collection } : {}),
  };
}

/** Adds a specimen; `scope` is the order key the SPM/OBR belongs to. */
export function addSpecimen(ctx: MappingContext, builder: BundleBuilder, specimen: Specimen, scope: string, setId: string, mode: WriteMode): Ref {
  return builder.add(specimen, specimen.identifier?.[0] ?? localIdentifier(ctx, 'SPM', scope, setId), mode, 'same');
}
