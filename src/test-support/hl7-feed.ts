/**
 * A synthetic HL7 v2 feed for tests and benchmarks of the MLLP path: ADT^A01 and ORU^R01
 * (three OBX with reference ranges and abnormal flags) in turn, over a pool of patients, so
 * later messages update patients already in the record. Message n of a run always has control
 * id `<run>-<n>` and the same bytes, so a resend is recognisably the same message.
 */
export function feedMessage(n: number, run: string, patients = 500): string {
  const patient = n % patients;
  const controlId = `${run}-${n}`;
  const stamp = `202603${String(1 + (n % 28)).padStart(2, '0')}${String(n % 24).padStart(2, '0')}0000`;
  const pid = `PID|1||${run}MRN${patient}^^^GENERAL^MR||Patient${patient}^Test||19${50 + (patient % 50)}0101|${patient % 2 ? 'F' : 'M'}|||${patient} Main St^^Columbus^OH^43${String(patient % 1000).padStart(3, '0')}`;
  if (n % 2 === 0) {
    return [`MSH|^~\\&|ADT|GENERAL|HUB|HUB|${stamp}||ADT^A01^ADT_A01|${controlId}|P|2.5.1`, `EVN|A01|${stamp}`, pid, `PV1|1|I|W1^1^A||||1^Welby^Marcus||||||||||||${run}V${n}`].join('\r');
  }
  return [
    `MSH|^~\\&|LAB|GENERAL|HUB|HUB|${stamp}||ORU^R01^ORU_R01|${controlId}|P|2.5.1`,
    pid,
    `OBR|1|${run}ORD${n}|${run}FIL${n}|24323-8^Comprehensive metabolic panel^LN|||${stamp}`,
    `OBX|1|NM|2345-7^Glucose^LN||${70 + (n % 60)}|mg/dL^^UCUM|70-99|${n % 60 > 29 ? 'H' : 'N'}|||F|||${stamp}`,
    `OBX|2|NM|2951-2^Sodium^LN||${135 + (n % 10)}|mmol/L^^UCUM|135-145|N|||F|||${stamp}`,
    `OBX|3|NM|4548-4^Hemoglobin A1c^LN||${(5 + (n % 40) / 10).toFixed(1)}|%^^UCUM|4.0-5.6|${n % 40 > 6 ? 'H' : 'N'}|||F|||${stamp}`,
  ].join('\r');
}
