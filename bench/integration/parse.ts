/**
 * HL7 v2 parse throughput over the shared corpus, ours beside two npm parsers in the same run:
 * @medplum/core's Hl7Message (the parser @medplum/hl7 4.x re-uses; it splits fields and
 * components, leaves subcomponents and escapes alone) and simple-hl7 (fixed `|^~\&`, no
 * escape decoding). Each parser gets the same CR-terminated strings: every corpus message
 * our parser accepts, repeated to about --count messages. Also checks, per parser, whether a
 * fixed set of escape sequences and a repetition come out decoded.
 *
 * The machine is shared, so parsers take turns over --rounds rounds and each keeps its best
 * round (the one least disturbed by other load).
 *
 *   node --import tsx bench/integration/parse.ts [--count 50000] [--rounds 3] [--corpus DIR]
 */
import { isUtf8 } from 'node:buffer';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Hl7Message as MedplumMessage } from '@medplum/core';
import { parseMessage } from '../../src/integration/hl7v2/parse.ts';
import { splitMessages } from '../../src/integration/hl7v2/split.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '50000' },
    rounds: { type: 'string', default: '3' },
    corpus: { type: 'string', default: new URL('../../../shared/data/hl7v2/', import.meta.url).pathname },
  },
});

/** The slice of simple-hl7's CommonJS API used here (the package ships no types). */
interface SimpleHl7 {
  Parser: new () => {
    parse(text: string): { getSegment(name: string): { getComponent(f: number, c: number): string; getField(f: number, rep?: number): string } };
  };
}
const simpleHl7 = createRequire(import.meta.url)('simple-hl7') as SimpleHl7;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'expected' ? [] : walk(path);
    return [path];
  });
}

/** Every message of the corpus our parser accepts, as text with CR terminators. */
function loadCorpus(dir: string): string[] {
  const texts: string[] = [];
  for (const file of walk(dir)) {
    for (const m of splitMessages(readFileSync(file)).messages) {
      if (!parseMessage(m.content).ok) continue;
      texts.push(Buffer.from(m.content).toString(isUtf8(m.content) ? 'utf8' : 'latin1'));
    }
  }
  return texts;
}

interface Parser {
  name: string;
  parse(text: string): unknown;
  /** Decoded first component of field n (1-based) of the ZES segment, repetition r. */
  read(parsed: unknown, n: number, r: number): string | undefined;
}

const parsers: Parser[] = [
  {
    name: 'longitude hl7v2',
    parse: (text) => {
      const r = parseMessage(text);
      if (!r.ok) throw new Error(r.rejection.code);
      return r.message;
    },
    read: (m, n, r) => (m as Exclude<ReturnType<typeof parseMessage>, { ok: false }>['message']).get(`ZES-${n}[${r}]`),
  },
  {
    name: '@medplum/core 4.1.6 Hl7Message',
    parse: (text) => MedplumMessage.parse(text),
    read: (m, n, r) => (m as MedplumMessage).getSegment('ZES')?.getField(n)?.getComponent(1, undefined, r - 1),
  },
  {
    name: 'simple-hl7 3.3.0',
    parse: (text) => new simpleHl7.Parser().parse(text),
    read: (m, n, r) => {
      const seg = (m as ReturnType<InstanceType<SimpleHl7['Parser']>['parse']>).getSegment('ZES');
      return r === 1 ? seg.getComponent(n, 1) : seg.getField(n, r);
    },
  },
];

/** ZES-1..7 each hold one escape case; ZES-8 two repetitions. */
const ESCAPES = 'MSH|^~\\&|S|F|R|F|2026||ADT^A01|C1|P|2.5\rZES|a\\F\\b|a\\S\\b|a\\T\\b|a\\R\\b|a\\E\\b|\\X41\\|x\\.br\\y|r1~r2\r';
const CASES: [label: string, n: number, r: number, ok: (v: string | undefined) => boolean][] = [
  ['\\F\\', 1, 1, (v) => v === 'a|b'],
  ['\\S\\', 2, 1, (v) => v === 'a^b'],
  ['\\T\\', 3, 1, (v) => v === 'a&b'],
  ['\\R\\', 4, 1, (v) => v === 'a~b'],
  ['\\E\\', 5, 1, (v) => v === 'a\\b'],
  ['\\X41\\', 6, 1, (v) => v === 'A'],
  ['\\.br\\', 7, 1, (v) => v !== undefined && /^x(\r\n|\r|\n)y$/.test(v)],
  ['repetition', 8, 2, (v) => v === 'r2'],
];

function escapeChecks(p: Parser): string[] {
  let parsed: unknown;
  try {
    parsed = p.parse(ESCAPES);
  } catch {
    return CASES.map(() => 'throws');
  }
  return CASES.map(([, n, r, ok]) => {
    try {
      return ok(p.read(parsed, n, r)) ? 'yes' : 'no';
    } catch {
      return 'throws';
    }
  });
}

function measure(p: Parser, workload: string[]): { seconds: number; failures: number } {
  let failures = 0;
  const started = performance.now();
  for (const text of workload) {
    try {
      p.parse(text);
    } catch {
      failures++;
    }
  }
  return { seconds: (performance.now() - started) / 1000, failures };
}

const corpus = loadCorpus(values.corpus);
const count = Number(values.count);
const workload = Array.from({ length: Math.ceil(count / corpus.length) }, () => corpus).flat().slice(0, count);
const megabytes = workload.reduce((n, t) => n + t.length, 0) / 1e6;
console.log(`corpus: ${corpus.length} valid messages; workload ${workload.length} messages, ${megabytes.toFixed(1)} M chars`);
console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}\n`);

for (const p of parsers) measure(p, corpus); // warm-up: one pass over the distinct messages
const rows = parsers.map((p) => ({ p, seconds: Infinity, failures: 0, checks: escapeChecks(p) }));
for (let round = 0; round < Number(values.rounds); round++) {
  for (const row of rows) {
    const r = measure(row.p, workload);
    row.seconds = Math.min(row.seconds, r.seconds);
    row.failures = r.failures;
  }
}
const ours = rows[0] as (typeof rows)[number];
console.log(['parser', 'msgs/s', 'M chars/s', 'vs ours', 'throws', ...CASES.map(([label]) => label)].join(' | '));
for (const row of rows) {
  const rate = workload.length / row.seconds;
  const ratio = ours.seconds / row.seconds;
  console.log(
    [row.p.name, rate.toFixed(0), (megabytes / row.seconds).toFixed(1), `${ratio.toFixed(2)}×`, row.failures, ...row.checks].join(' | '),
  );
}
