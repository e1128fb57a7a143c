/**
 * The composite v2 data types every segment map uses, per the V2-to-FHIR IG data type maps:
 * XPN[HumanName], XAD[Address], XTN[ContactPoint], XCN[Practitioner], PL[Location], CQ[Quantity].
 *
 * People and places named inside a message (an attending doctor, a bed) become logical
 * references, a Reference with an identifier and a display, not resources of their own: a
 * practitioner directory is not this layer's to build from message fragments, and the
 * reference still says exactly who (XCN.1 + XCN.9) was named.
 */
import type { Address, ContactPoint, HumanName, Period, Quantity } from '@medplum/fhirtypes';
import { codeSystemUri, mapCode, v2Table } from './coding.ts';
import type { MappingContext } from './context.ts';
import { authoritySystem } from './identifiers.ts';
import { comp, sub, type Rep } from './segments.ts';
import type { Ref } from './bundle-builder.ts';

/** NameType (HL7 table 0200) → HumanName.use (V2-to-FHIR IG NameType map). */
const nameUse: Record<string, HumanName['use']> = {
  A: 'usual',
  B: 'official',
  BAD: 'old',
  C: 'official',
  D: 'usual',
  K: 'anonymous',
  L: 'official',
  M: 'maiden',
  N: 'nickname',
  NB: 'old',
  NOUSE: 'old',
  P: 'usual',
  R: 'official',
  S: 'anonymous',
  T: 'temp',
  U: 'usual',
};

function period(start: string | undefined, end: string | undefined): Period | undefined {
  return start || end ? { ...(start ? { start } : {}), ...(end ? { end } : {}) } : undefined;
}

/**
 * XPN → HumanName(s): family XPN.1, given XPN.2 + XPN.3, suffix XPN.4, XPN.6, XPN.14,
 * prefix XPN.5, use from XPN.7, period XPN.12/13 (else the XPN.10 validity range). XPN.15
 * (called by) becomes a second name with use `nickname`, as the IG's XPN map says.
 */
export function humanNames(rep: Rep | undefined, ctx: MappingContext, element: string): HumanName[] {
  if (!rep) return [];
  const family = comp(rep, 1);
  const given = [comp(rep, 2), ...(comp(rep, 3)?.split(/\s+/) ?? [])].filter((g): g is string => !!g);
  const suffix = [comp(rep, 4), comp(rep, 6), comp(rep, 14)].filter((s): s is string => !!s);
  const prefix = comp(rep, 5);
  const use = mapCode(comp(rep, 7), nameUse);
  const when = period(
    ctx.dateTimeIn(rep, 12, `${element}.12`) ?? ctx.dateTimeIn(rep, 10, `${element}.10`, 1),
    ctx.dateTimeIn(rep, 13, `${element}.13`) ?? ctx.dateTimeIn(rep, 10, `${element}.10`, 2),
  );
  const names: HumanName[] = [];
  if (family || given.length > 0) {
    names.push({
      ...(use ? { use } : {}),
      ...(family ? { family } : {}),
      ...(given.length > 0 ? { given } : {}),
      ...(prefix ? { prefix: [prefix] } : {}),
      ...(suffix.length > 0 ? { suffix } : {}),
      ...(when ? { period: when } : {}),
    });
  }
  const calledBy = comp(rep, 15);
  if (calledBy) names.push({ use: 'nickname', given: [calledBy] });
  return names;
}

/** A name as one line of text ("Dr Kathleen Woolfson"), for Reference.display. */
export function nameText(name: HumanName | undefined): string | undefined {
  if (!name) return undefined;
  const text = [...(name.prefix ?? []), ...(name.given ?? []), name.family, ...(name.suffix ?? [])].filter(Boolean).join(' ');
  return text || undefined;
}

/** AddressType (HL7 table 0190) → Address.use / Address.type (IG AddressType[Use], [Type]). */
const addressUse: Record<string, Address['use']> = { H: 'home', B: 'work', O: 'work', C: 'temp', BA: 'old', BI: 'billing', BDL: 'home', RH: 'home', V: 'temp' };
const addressType: Record<string, Address['type']> = { M: 'postal', SH: 'physical', P: 'physical' };

/** XAD → Address: lines from XAD.1 (SAD), XAD.2 and XAD.19, district XAD.9, period XAD.12–14. */
export function address(rep: Rep | undefined, ctx: MappingContext, element: string): Address | undefined {
  if (!rep) return undefined;
  const line = [comp(rep, 1, 1), comp(rep, 1, 2), comp(rep, 1, 3), comp(rep, 2), comp(rep, 19)].filter((l): l is string => !!l);
  const kind = comp(rep, 7);
  const district = comp(rep, 9, 1) ?? comp(rep, 9, 2);
  const when = period(
    ctx.dateTimeIn(rep, 13, `${element}.13`) ?? ctx.dateTimeIn(rep, 12, `${element}.12`, 1),
    ctx.dateTimeIn(rep, 14, `${element}.14`) ?? ctx.dateTimeIn(rep, 12, `${element}.12`, 2),
  );
  const result: Address = {
    ...(mapCode(kind, addressUse) ? { use: mapCode(kind, addressUse) } : {}),
    ...(mapCode(kind, addressType) ? { type: mapCode(kind, addressType) } : {}),
    ...(line.length > 0 ? { line } : {}),
    ...(comp(rep, 3) ? { city: comp(rep, 3) } : {}),
    ...(district ? { district } : {}),
    ...(comp(rep, 4) ? { state: comp(rep, 4) } : {}),
    ...(comp(rep, 5) ? { postalCode: comp(rep, 5) } : {}),
    ...(comp(rep, 6) ? { country: comp(rep, 6) } : {}),
    ...(when ? { period: when } : {}),
  };
  return line.length > 0 || result.city || result.state || result.postalCode || result.country ? result : undefined;
}

/** TelecommunicationUseCode (table 0201) → ContactPoint.use. */
const telecomUse: Record<string, ContactPoint['use']> = { PRN: 'home', ORN: 'home', VHN: 'home', WPN: 'work', BPN: 'work', PRS: 'mobile' };
/** TelecommunicationEquipmentType (table 0202) → ContactPoint.system. */
const telecomSystem: Record<string, ContactPoint['system']> = {
  PH: 'phone',
  CP: 'phone',
  FX: 'fax',
  BP: 'pager',
  INTERNET: 'email',
  'X.400': 'email',
  MD: 'other',
  SAT: 'other',
  TDD: 'other',
  TTY: 'other',
};

/**
 * XTN → ContactPoint (IG XTN[ContactPoint]): e-mail from XTN.4; a phone from XTN.12
 * (unformatted), else built from XTN.5–8, else XTN.1; use from XTN.2 or the field's default
 * (PID-13 home, PID-14 work); rank XTN.18; period XTN.13/14.
 */
export function contactPoint(rep: Rep | undefined, ctx: MappingContext, element: string, defaultUse?: ContactPoint['use']): ContactPoint | undefined {
  if (!rep) return undefined;
  const equipment = comp(rep, 3);
  const system = mapCode(equipment, telecomSystem) ?? (comp(rep, 4) ? 'email' : undefined);
  const isEmail = system === 'email';
  // IG XTN rows 1, 7, 12: the unformatted number XTN.12, else the parts XTN.5–8 when the local
  // number XTN.7 is sent ("+country area local Xext"), else the formatted XTN.1.
  const built = [comp(rep, 5) && `+${comp(rep, 5)}`, comp(rep, 6), comp(rep, 7), comp(rep, 8) && `X${comp(rep, 8)}`].filter(Boolean).join(' ');
  // A sender that marks an e-mail but leaves XTN.4 empty has usually put it in XTN.1.
  const value = isEmail ? (comp(rep, 4) ?? comp(rep, 1)) : (comp(rep, 12) ?? (comp(rep, 7) ? built : comp(rep, 1)));
  if (!value) return undefined;
  const use = mapCode(comp(rep, 2), telecomUse) ?? (equipment === 'CP' ? 'mobile' : undefined) ?? defaultUse;
  const rank = Number(comp(rep, 18));
  const when = period(ctx.dateTimeIn(rep, 13, `${element}.13`), ctx.dateTimeIn(rep, 14, `${element}.14`));
  return {
    system: system ?? 'phone',
    value,
    ...(use ? { use } : {}),
    ...(Number.isInteger(rank) && rank > 0 ? { rank } : {}),
    ...(when ? { period: when } : {}),
  };
}

/**
 * XCN → a logical Reference to the person: identifier XCN.1 with the system of XCN.9, display
 * the name (XCN.2–7). Undefined when the XCN names nobody.
 */
export function practitionerReference(rep: Rep | undefined, ctx: MappingContext, type: 'Practitioner' | 'RelatedPerson' = 'Practitioner'): Ref | undefined {
  if (!rep) return undefined;
  const id = comp(rep, 1);
  const display = nameText({
    family: comp(rep, 2),
    given: [comp(rep, 3), comp(rep, 4)].filter((g): g is string => !!g),
    prefix: comp(rep, 6) ? [comp(rep, 6)!] : [],
    suffix: [comp(rep, 5), comp(rep, 7)].filter((s): s is string => !!s),
  });
  if (!id && !display) return undefined;
  const system = authoritySystem(sub(rep, 9), ctx);
  const idType = comp(rep, 13);
  return {
    type,
    ...(id
      ? {
          identifier: {
            ...(idType ? { type: { coding: [{ system: v2Table('0203'), code: idType }] } } : {}),
            ...(system ? { system } : {}),
            value: id,
          },
        }
      : {}),
    ...(display ? { display } : {}),
  };
}

/** PL → text for a location reference: PL.9 (description), else facility/building/floor/point of care/room/bed. */
export function locationText(rep: Rep | undefined): string | undefined {
  if (!rep) return undefined;
  const description = comp(rep, 9);
  if (description) return description;
  const parts = [comp(rep, 4), comp(rep, 7), comp(rep, 8), comp(rep, 1), comp(rep, 2), comp(rep, 3)].filter(Boolean);
  return parts.length > 0 ? parts.join(' / ') : undefined;
}

/** A number as FHIR decimal, or undefined when the text is not one (v2 NM, ch. 2A.47). */
export function decimal(text: string | undefined): number | undefined {
  if (!text || !/^[+-]?(\d+\.?\d*|\.\d+)$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/**
 * Units (CWE) → the unit, code and system of a Quantity (IG CWE[Quantity]). A unit code comes
 * with its system or not at all: FHIR's qty-3 rule says a code needs a system, and guessing
 * UCUM for a sender that did not say so could make `mg` something it was not.
 */
export function quantityUnits(units: Rep | undefined): Pick<Quantity, 'unit' | 'system' | 'code'> {
  const code = comp(units, 1);
  if (!code) return {};
  const system = codeSystemUri(comp(units, 3));
  return { unit: comp(units, 2) ?? code, ...(system ? { system, code } : {}) };
}

/** CQ (quantity ^ units) → Quantity. */
export function cqQuantity(rep: Rep | undefined): Quantity | undefined {
  const value = decimal(comp(rep, 1));
  if (value === undefined) return undefined;
  return { value, ...quantityUnits(sub(rep, 2)) };
}
