/**
 * The hash chain behind the audit trail. Each row's hash covers its sequence number, its
 * content and the previous row's hash, so changing, removing or reordering any row breaks
 * every link after it. Content is hashed as canonical JSON because jsonb does not keep key
 * order.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.ts';

export const genesisHash = '0'.repeat(64);

export function chainHash(prevHash: string, seq: number, event: unknown): string {
  return createHash('sha256').update(`${prevHash}\n${seq}\n${canonicalJson(event)}`).digest('hex');
}
