/**
 * Progress for long CLI steps: a cli-progress bar on a TTY, plain lines otherwise (or with --json,
 * where nothing but the result is printed).
 */
import cliProgress from 'cli-progress';

/** Reports progress of one step of known size. */
export interface Progress {
  advance(by: number): void;
  done(summary: string): void;
}

/** How the CLI prints: a bar, plain lines, or nothing (JSON output). */
export type OutputMode = 'tty' | 'plain' | 'json';

/** The mode for stdout and the --json flag. */
export function outputMode(json: boolean | undefined): OutputMode {
  if (json) return 'json';
  return process.stdout.isTTY ? 'tty' : 'plain';
}

/** Starts reporting a step of `total` units. */
export function startProgress(mode: OutputMode, label: string, total: number, log: (line: string) => void): Progress {
  if (mode === 'tty') {
    const bar = new cliProgress.SingleBar({ format: `${label} [{bar}] {value}/{total}`, hideCursor: true }, cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    return {
      advance: (by) => bar.increment(by),
      done: (summary) => {
        bar.stop();
        log(summary);
      },
    };
  }
  let value = 0;
  let lastPrinted = 0;
  return {
    advance: (by) => {
      value += by;
      // Plain output: a line at most every 10% so logs stay readable.
      if (mode === 'plain' && total > 0 && (value - lastPrinted) / total >= 0.1 && value < total) {
        lastPrinted = value;
        log(`${label}: ${value}/${total}`);
      }
    },
    done: (summary) => {
      if (mode === 'plain') log(summary);
    },
  };
}
