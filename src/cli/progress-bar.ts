import type { Progress, ProgressListener } from '../bulk/progress.js';

const WIDTH = 30;

/**
 * Progress on standard error: a bar redrawn in place on a terminal, plain lines otherwise (at most one per
 * tenth of the work), so logs of scripted runs stay readable.
 */
export function progressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): { report: ProgressListener; finish: () => void } {
  let lastTenth = -1;
  let drawn = false;
  const report: ProgressListener = (progress) => {
    if (stream.isTTY) {
      stream.write(`\r${bar(label, progress)}`);
      drawn = true;
      return;
    }
    const tenth = progress.total ? Math.floor((progress.done / progress.total) * 10) : -1;
    if (tenth === lastTenth && progress.done !== progress.total) return;
    lastTenth = tenth;
    stream.write(`${label}: ${progress.done}${progress.total === undefined ? '' : ` of ${progress.total}`}\n`);
  };
  return { report, finish: () => drawn && stream.write('\n') };
}

export function bar(label: string, { done, total }: Progress): string {
  if (!total) return `${label} ${done}`;
  const share = Math.min(1, done / total);
  const filled = Math.round(share * WIDTH);
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${Math.floor(share * 100)}% ${done}/${total}`;
}

/** One reporter per operation of a run that does several in turn, each drawn with its own label. */
export function progressReporters(labels: Record<string, string>, stream: NodeJS.WriteStream = process.stderr): { report: ProgressListener; finish: () => void } {
  const reporters = new Map<string, ReturnType<typeof progressReporter>>();
  let current: ReturnType<typeof progressReporter> | undefined;
  const report: ProgressListener = (progress) => {
    let reporter = reporters.get(progress.operation);
    if (!reporter) {
      reporter = progressReporter(labels[progress.operation] ?? progress.operation, stream);
      reporters.set(progress.operation, reporter);
    }
    if (reporter !== current) current?.finish();
    current = reporter;
    reporter.report(progress);
  };
  return { report, finish: () => current?.finish() };
}
