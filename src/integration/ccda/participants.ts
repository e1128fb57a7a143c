/**
 * People, organizations and devices named in a document (authors, performers, custodian,
 * legal authenticator) become logical references (Reference.identifier + display), as in the
 * HL7 v2 mapping (docs/integration.md): a directory built from document fragments would be
 * wrong more often than right, and the identifier still says exactly who was named.
 */
import type { Reference } from '@medplum/fhirtypes';
import { nameText, toIdentifier } from './cda-datatypes.ts';
import { child, children, descend, textContent, type CdaNode } from './cda-xml.ts';

type Logical = Reference<never>;

/**
 * An assignedAuthor / assignedEntity / assignedCustodian (or the element that holds one) as a
 * logical reference: the first usable id, and the person's, device's or organization's name.
 */
export function assignedReference(holder: CdaNode | undefined): Logical | undefined {
  if (!holder) return undefined;
  const assigned =
    child(holder, 'assignedAuthor') ??
    child(holder, 'assignedEntity') ??
    descend(holder, 'assignedCustodian/representedCustodianOrganization') ??
    child(holder, 'representedOrganization') ??
    holder;
  const identifier = children(assigned, 'id').map(toIdentifier).find((i) => i?.value);
  const person = descend(assigned, 'assignedPerson/name');
  const device = child(assigned, 'assignedAuthoringDevice');
  const organization = child(assigned, 'representedOrganization') ?? child(assigned, 'representedCustodianOrganization');
  const display =
    nameText(person) ??
    (device ? [textContent(child(device, 'manufacturerModelName')), textContent(child(device, 'softwareName'))].filter(Boolean).join(' ') || undefined : undefined) ??
    (textContent(child(assigned, 'name')) || textContent(child(organization, 'name')) || undefined);
  const type = person ? 'Practitioner' : device ? 'Device' : 'Organization';
  if (!identifier && !display) return undefined;
  return { type, ...(identifier ? { identifier } : {}), ...(display ? { display } : {}) };
}

/** Every author of an element, as logical references. */
export function authorReferences(node: CdaNode | undefined): Logical[] {
  return children(node, 'author').map(assignedReference).filter((r): r is Logical => !!r);
}

/** Every performer of an entry, as logical references. */
export function performerReferences(node: CdaNode | undefined): Logical[] {
  return children(node, 'performer').map(assignedReference).filter((r): r is Logical => !!r);
}
