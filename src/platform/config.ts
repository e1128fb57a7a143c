/**
 * Configuration: read once, at the composition root, from the environment and an optional
 * JSON file; validated; frozen. Nothing else in the hub reads process.env.
 *
 * Precedence: built-in defaults < config file < environment variables < explicit overrides
 * (CLI flags, tests).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { LongitudeError } from './errors.ts';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A whole number within bounds, from a number or an environment string. */
function integer(min: number, max: number) {
  const message = `expected a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int({ error: message }).min(min, { error: message }).max(max, { error: message });
}

/**
 * An HL7 v2 MLLP channel. `ackAfter: processed` answers AA only once the message is in the
 * record (original acknowledgment mode, HL7 v2.5.1 ch. 2.9.2); `stored` answers as soon as it
 * is safely in the message store and processes it right after (an accept acknowledgment, for
 * senders that need throughput more than an application answer).
 */
const hl7ChannelSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a channel name is lower-case letters, digits and -'),
    port: integer(0, 65535),
    host: z.string().min(1).optional(),
    ackAfter: z.enum(['processed', 'stored']).default('processed'),
    /** What the record calls the sending system; default: MSH-3 of each message. */
    sourceSystem: z.string().min(1).optional(),
    /** Per-channel mapping overrides (docs/integration.md); validated by the mapper. */
    mapping: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type Hl7ChannelConfig = z.infer<typeof hl7ChannelSchema>;

/**
 * A file-drop directory: files put there are stored message by message, then moved to
 * `.done/` (integration/file-drop/file-drop.ts). `hl7`: HL7 v2 files (batches, captures);
 * `fhir`: FHIR Bundles (.json) and NDJSON; `ccda`: one C-CDA document per file.
 */
const fileDropSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'a drop name is lower-case letters, digits and -'),
    dir: z.string().min(1),
    format: z.enum(['hl7', 'fhir', 'ccda']),
  })
  .strict();
export type FileDropConfig = z.infer<typeof fileDropSchema>;

const configSchema = z
  .object({
    port: integer(0, 65535).default(8080),
    host: z.string().min(1).default('localhost'),
    /** Where the embedded database, signing key and other local state live. */
    dataDir: z.string().min(1).default('.longitude'),
    /** When set, every command uses this PostgreSQL server instead of the embedded database. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    pgPoolMax: integer(1, 200).default(10),
    logLevel: z.enum(logLevels).default('info'),
    /** Public base URL, used in links the hub hands out; defaults to http://localhost:PORT. */
    baseUrl: z.url().optional(),
    /** Largest request body accepted, in bytes (Synthea bundles reach several MB). */
    bodyLimit: integer(1024, 2 ** 31).default(32 * 1024 * 1024),
    /** HMAC secret for access tokens; when unset, a key is generated in dataDir. */
    tokenSecret: z.string().min(32, 'must be at least 32 characters').optional(),
    tokenIssuer: z.string().min(1).default('longitude'),
    /** How often the outbox dispatcher looks for events written by other processes. */
    outboxPollMs: integer(10, 60_000).default(1000),
    /** Attempts before an event that a consumer keeps failing on is dead-lettered. */
    outboxMaxAttempts: integer(1, 1000).default(10),
    /** How long shutdown waits for in-flight requests and the outbox before giving up. */
    shutdownTimeoutMs: integer(0, 600_000).default(10_000),
    /** Where the quality-measure content (ELM, value sets) is read from by the care-gap signals. */
    measuresDir: z.string().min(1).default('../shared/data/measures'),
    /** Messages the background worker processes at once on PostgreSQL (one on the embedded database). */
    messageConcurrency: integer(1, 64).default(4),
    /** Port of the default MLLP channel `hl7` (HL7_PORT), used when no channels are configured. */
    hl7Port: integer(0, 65535).default(2575),
    /**
     * Demo sign-in (POST /auth/login with the demo users, password `demo`): on for the
     * simulated organization `npm start` brings up, never for a hub holding real data.
     */
    demoUsers: z.union([z.boolean(), z.stringbool()]).default(false),
    /** File-drop directories (config file), swept every outboxPollMs by `start`. */
    fileDrops: z.array(fileDropSchema).default([]),
    /** MLLP channels (config file); unset: one channel `hl7` on hl7Port. */
    hl7Channels: z
      .array(hl7ChannelSchema)
      .refine((list) => new Set(list.map((c) => c.name)).size === list.length, 'channel names must be unique')
      .refine((list) => {
        const ports = list.map((c) => c.port).filter((p) => p !== 0);
        return new Set(ports).size === ports.length;
      }, 'two channels cannot listen on one port')
      .optional(),
  })
  .strict();

export type Config = Readonly<z.infer<typeof configSchema>>;
export type ConfigInput = z.input<typeof configSchema>;

/** Environment variables and the setting each one feeds. */
const envNames: Record<string, keyof ConfigInput> = {
  PORT: 'port',
  DATABASE_URL: 'databaseUrl',
  LONGITUDE_HOST: 'host',
  LONGITUDE_DATA_DIR: 'dataDir',
  LONGITUDE_PG_POOL_MAX: 'pgPoolMax',
  LONGITUDE_LOG_LEVEL: 'logLevel',
  LONGITUDE_BASE_URL: 'baseUrl',
  LONGITUDE_BODY_LIMIT: 'bodyLimit',
  LONGITUDE_TOKEN_SECRET: 'tokenSecret',
  LONGITUDE_TOKEN_ISSUER: 'tokenIssuer',
  LONGITUDE_OUTBOX_POLL_MS: 'outboxPollMs',
  LONGITUDE_OUTBOX_MAX_ATTEMPTS: 'outboxMaxAttempts',
  LONGITUDE_SHUTDOWN_TIMEOUT_MS: 'shutdownTimeoutMs',
  HL7_PORT: 'hl7Port',
  LONGITUDE_MESSAGE_CONCURRENCY: 'messageConcurrency',
  LONGITUDE_MEASURES_DIR: 'measuresDir',
  LONGITUDE_DEMO_USERS: 'demoUsers',
};

const settingNames = Object.fromEntries(Object.entries(envNames).map(([env, key]) => [key, env]));

export interface LoadConfigOptions {
  env?: Record<string, string | undefined>;
  /** Path of a JSON config file; LONGITUDE_CONFIG in env names one too. */
  file?: string;
  overrides?: Partial<ConfigInput>;
}

/** Load, validate and freeze the configuration; a bad setting throws LNG_CONFIG_INVALID. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? {};
  const filePath = options.file ?? env.LONGITUDE_CONFIG;
  const fromFile = filePath ? readConfigFile(filePath) : {};
  const fromEnv: Record<string, string> = {};
  for (const [name, key] of Object.entries(envNames)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  const merged = { ...fromFile, ...fromEnv, ...dropUndefined(options.overrides ?? {}) };
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw configError(parsed.error);
  return Object.freeze({ ...parsed.data, dataDir: resolve(parsed.data.dataDir) });
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new LongitudeError('LNG_CONFIG_INVALID', `config file ${path} cannot be read`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new LongitudeError('LNG_CONFIG_INVALID', `config file ${path} must hold one JSON object`);
  }
}

function configError(error: z.ZodError): LongitudeError {
  const messages = error.issues.map((issue) => {
    const key = String(issue.path[0] ?? '');
    const env = settingNames[key];
    const name = env ? `${env} (${key})` : key || 'config';
    return `${name}: ${describeIssue(issue)}`;
  });
  return new LongitudeError('LNG_CONFIG_INVALID', `invalid setting ${messages.join('; ')}`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `expected one of ${issue.values.join('|')}`;
  if (issue.code === 'unrecognized_keys') return `unknown setting(s) ${issue.keys.join(', ')}`;
  return issue.message;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The URL people and clients use to reach the hub. */
export function publicBaseUrl(config: Config): string {
  return (config.baseUrl ?? `http://localhost:${config.port}`).replace(/\/$/, '');
}

/** The MLLP channels to listen on: the configured ones, or the default channel `hl7`. */
export function hl7Channels(config: Config): readonly Hl7ChannelConfig[] {
  return config.hl7Channels ?? [{ name: 'hl7', port: config.hl7Port, ackAfter: 'processed' }];
}
