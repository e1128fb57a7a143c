import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from './config.ts';
import { LongitudeError } from './errors.ts';

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof LongitudeError);
    assert.equal(err.code, 'LNG_CONFIG_INVALID');
    return err.message;
  }
  assert.fail('expected a configuration error');
}

describe('configuration', () => {
  test('defaults: port 8080, embedded database in ./.longitude', () => {
    const config = loadConfig({ env: {} });
    assert.equal(config.port, 8080);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, join(process.cwd(), '.longitude'));
    assert.ok(Object.isFrozen(config));
  });

  test('environment variables set it; PORT and DATABASE_URL keep their usual names', () => {
    const config = loadConfig({
      env: { PORT: '9000', DATABASE_URL: 'postgres://u@h:5432/db', LONGITUDE_DATA_DIR: '/tmp/x', LONGITUDE_LOG_LEVEL: 'warn' },
    });
    assert.deepEqual([config.port, config.databaseUrl, config.dataDir, config.logLevel], [9000, 'postgres://u@h:5432/db', '/tmp/x', 'warn']);
  });

  test('a file sets it, the environment overrides the file, explicit overrides win', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lng-config-'));
    const file = join(dir, 'longitude.json');
    writeFileSync(file, JSON.stringify({ port: 7000, logLevel: 'debug', outboxPollMs: 250 }));
    const config = loadConfig({ env: { LONGITUDE_CONFIG: file, LONGITUDE_LOG_LEVEL: 'error' }, overrides: { port: 7100 } });
    assert.deepEqual([config.port, config.logLevel, config.outboxPollMs], [7100, 'error', 250]);
  });

  test('a bad value names the setting and what is allowed', () => {
    assert.equal(
      configError(() => loadConfig({ env: { PORT: 'eighty' } })),
      'invalid setting PORT (port): expected a whole number from 0 to 65535',
    );
    assert.match(configError(() => loadConfig({ env: { LONGITUDE_LOG_LEVEL: 'loud' } })), /LONGITUDE_LOG_LEVEL \(logLevel\): expected one of fatal\|error/);
    assert.match(configError(() => loadConfig({ env: { DATABASE_URL: 'mysql://x' } })), /DATABASE_URL \(databaseUrl\): must start with postgres:\/\//);
    assert.match(configError(() => loadConfig({ env: { LONGITUDE_TOKEN_SECRET: 'short' } })), /LONGITUDE_TOKEN_SECRET.*at least 32/);
  });

  test('an unknown key or an unreadable file in the config file is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lng-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ prot: 80 }));
    assert.match(configError(() => loadConfig({ file })), /unknown setting\(s\) prot/);
    writeFileSync(file, 'port: 80');
    assert.match(configError(() => loadConfig({ file })), /must hold one JSON object/);
    assert.match(configError(() => loadConfig({ file: join(dir, 'missing.json') })), /cannot be read/);
  });
});
