/**
 * The embedded database is a folder that one process at a time may open (PGlite has no
 * server to arbitrate). A lock file holding the owner's pid makes a second process fail with
 * a clear message instead of corrupting the data; a lock left by a dead process is taken over.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { LongitudeError } from '../errors.ts';

export function acquireDataDirLock(lockFile: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(lockFile, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new LongitudeError(
          'LNG_CONFLICT',
          `the embedded database is in use by process ${owner} (a running hub?); stop it first, or use a PostgreSQL server via DATABASE_URL`,
        );
      }
      rmSync(lockFile, { force: true });
    }
  }
  throw new LongitudeError('LNG_CONFLICT', `could not lock ${lockFile}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
