/**
 * `longitude identity ...`: the master person index from the command line (docs/identity.md).
 * `relink --all` links every source Patient in the record with the identity engine, keeps
 * person ids where clusters persist, opens review items and rebuilds the golden records, with a
 * progress bar. `link`, `unlink`, `merge`, `unmerge` and `person` are the manual decisions and
 * the person view of the API. Runs as the hub (a system context named `cli:identity:<os user>`),
 * audited like the API.
 */
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { openHub, type Hub } from '../../hub.ts';
import { IdentityService, type RelinkProgress } from '../../identity/identity-service.ts';
import { LongitudeError } from '../../platform/errors.ts';
import { createLogger } from '../../platform/logger.ts';
import { systemContext } from '../../trust/access-context.ts';
import type { CliContext } from '../cli-context.ts';
import { createProgress } from '../progress.ts';

const STAGE_LABELS: Record<Parameters<RelinkProgress>[0], string> = {
  read: 'reading source Patients', normalize: 'normalizing', block: 'blocking', compare: 'comparing pairs',
  estimate: 'estimating the model', cluster: 'clustering', store: 'storing persons and golden records',
};

const actor = () => systemContext(`cli:identity:${userInfo().username}`);

async function withIdentity(cli: CliContext, command: Command, work: (identity: IdentityService, hub: Hub) => Promise<void>): Promise<void> {
  const config = cli.config(command);
  const hub = await openHub(config, { logger: createLogger({ ...config, logLevel: 'warn' }) });
  try {
    await work(new IdentityService(hub), hub);
  } finally {
    await hub.close();
  }
}

function relinkProgress(): { onProgress: RelinkProgress; stop(): void } {
  let stage: string | undefined;
  let bar: ReturnType<typeof createProgress> | undefined;
  return {
    onProgress(s, done, total) {
      if (s !== stage) {
        bar?.stop();
        stage = s;
        bar = createProgress(STAGE_LABELS[s], total);
      }
      bar?.update(done, total);
    },
    stop: () => bar?.stop(),
  };
}

export function registerIdentityCommand(program: Command, cli: CliContext): void {
  const identity = program.command('identity').description('the master person index: relink, manual link/unlink/merge/unmerge, person view');

  identity
    .command('relink')
    .description('link every source Patient into persons and rebuild their golden records')
    .option('--all', 'relink the whole record (the only mode so far)')
    .action(async (options: { all?: boolean }, command: Command) => {
      if (!options.all) throw new LongitudeError('LNG_BAD_REQUEST', 'relink needs --all (relinking a subset is not supported yet)');
      await withIdentity(cli, command, async (service) => {
        const progress = relinkProgress();
        let summary;
        try {
          summary = await service.relinkAll(actor(), { onProgress: progress.onProgress });
        } finally {
          progress.stop();
        }
        cli.out(`${summary.sourceRecords} source records → ${summary.persons} persons (${summary.personsCreated} new, ${summary.personsKept} kept, ${summary.personsMerged} merged, ${summary.personsRetired} retired)`);
        cli.out(`${summary.linksChanged} links changed, ${summary.reviewOpened} review items opened, ${summary.goldenWritten} golden records written, ${summary.pairsCompared} pairs compared in ${summary.seconds.toFixed(1)} s`);
        if (summary.sameFactCopiesRemoved > 0) cli.out(`${summary.sameFactCopiesRemoved} results two sources each reported are now one, with both sources' Provenance`);
      });
    });

  identity
    .command('link <record> <person>')
    .description('link a source record (Patient/<id>) to a person')
    .action(async (record: string, person: string, _o: unknown, command: Command) => {
      await withIdentity(cli, command, async (service) => {
        await service.linkRecord(actor(), record, person);
        cli.out(`${record} linked to person ${person}`);
      });
    });

  identity
    .command('unlink <record>')
    .description('take a source record out of its person into a person of its own')
    .action(async (record: string, _o: unknown, command: Command) => {
      await withIdentity(cli, command, async (service) => {
        const { personId } = await service.unlinkRecord(actor(), record);
        cli.out(`${record} unlinked into new person ${personId}`);
      });
    });

  identity
    .command('merge <survivor> <other>')
    .description('merge person <other> into <survivor> (the other is redirected, replaced-by)')
    .action(async (survivor: string, other: string, _o: unknown, command: Command) => {
      await withIdentity(cli, command, async (service) => {
        await service.merge(actor(), survivor, other);
        cli.out(`person ${other} merged into ${survivor}`);
      });
    });

  identity
    .command('unmerge <person>')
    .description('undo the last merge of a merged person')
    .action(async (person: string, _o: unknown, command: Command) => {
      await withIdentity(cli, command, async (service) => {
        const { survivorId, restored } = await service.unmerge(actor(), person);
        cli.out(`person ${person} restored from ${survivorId} with ${restored.length} records`);
      });
    });

  identity
    .command('person <id>')
    .description('print a person as JSON: golden record, per-element source and rule, links with reasons')
    .action(async (id: string, _o: unknown, command: Command) => {
      await withIdentity(cli, command, async (service) => {
        cli.out(JSON.stringify(await service.getPerson(actor(), id), null, 2));
      });
    });
}
