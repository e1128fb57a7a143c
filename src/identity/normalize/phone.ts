/**
 * Phones to E.164 with libphonenumber-js ("(614) 443-5450", "614.443.5450", "+1 614 443 5450"
 * all become +16144435450). A number that does not parse as possible for the default region is
 * kept as its digits, so two systems holding the same odd value still agree.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export function normalizePhone(raw: string | undefined | null, defaultCountry: CountryCode = 'US'): string | undefined {
  if (!raw) return undefined;
  const text = raw.trim();
  const digits = text.replace(/\D/g, '');
  if (digits.length < 7) return undefined;
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (parsed?.isPossible()) return parsed.number;
  return digits;
}
