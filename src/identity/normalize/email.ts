/**
 * Emails: trimmed and lower-cased (domains are case-insensitive, RFC 5321 §2.4; local parts are
 * in practice), with "+tag" sub-addresses dropped and, for Gmail, dots in the local part ignored
 * (Gmail delivers j.doe and jdoe to one mailbox).
 */
export interface NormalizedEmail {
  address: string;
  local: string;
  domain: string;
}

const DOTLESS_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

export function normalizeEmail(raw: string | undefined | null): NormalizedEmail | undefined {
  if (!raw) return undefined;
  const text = raw.trim().toLowerCase().replace(/^mailto:/, '');
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) return undefined;
  let local = text.slice(0, at).split('+')[0] ?? '';
  let domain = text.slice(at + 1);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (DOTLESS_DOMAINS.has(domain)) local = local.replace(/\./g, '');
  if (local === '') return undefined;
  return { address: `${local}@${domain}`, local, domain };
}
