/**
 * Structured logs (pino, JSON lines). Request logs carry method, route, status and timing;
 * never bodies or headers, which hold PHI and tokens.
 */
import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export function createLogger(config: Pick<Config, 'logLevel'>, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'longitude' },
      redact: { paths: ['req.headers.authorization', '*.authorization', '*.token'], remove: true },
    },
    destination ?? pino.destination({ fd: 1, sync: false }),
  );
}
