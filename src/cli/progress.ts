/**
 * Progress for long CLI work: a bar on a terminal, and on a pipe or CI log a line every few
 * seconds (a bar redrawn in a log file is noise).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, hideCursor: true, stream },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    return {
      update: (done, newTotal) => {
        if (newTotal !== undefined) bar.setTotal(newTotal);
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  // Short work prints nothing; long work a line every two seconds and a last one at the end.
  let last = Date.now();
  let printed = false;
  let current = 0;
  let max = total;
  const print = () => stream.write(`${label}: ${current}/${max} (${max > 0 ? Math.floor((100 * current) / max) : 100}%)\n`);
  return {
    update: (done, newTotal) => {
      current = done;
      if (newTotal !== undefined) max = newTotal;
      if (Date.now() - last >= 2000) {
        last = Date.now();
        printed = true;
        print();
      }
    },
    stop: () => {
      if (printed) print();
    },
  };
}
