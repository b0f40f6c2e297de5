import type { CopyProgress } from '../local/local-copy';

/**
 * A progress line on stderr for loads that take a while: nothing in the first second,
 * then at most one line a second (rewritten in place on a terminal).
 */
export function progressLine(stream: NodeJS.WriteStream = process.stderr): {
  update: (progress: CopyProgress) => void;
  done: () => void;
} {
  const started = Date.now();
  let lastShown = started;
  let shown = false;
  return {
    update(progress) {
      const now = Date.now();
      if (now - lastShown < 1000) return;
      lastShown = now;
      shown = true;
      const text =
        `loading ${progress.table}: ${progress.filesDone}/${progress.filesTotal} files, ` +
        `${progress.rows.toLocaleString('en-US')} rows, ${((now - started) / 1000).toFixed(0)} s`;
      stream.write(stream.isTTY ? `\r${text}\u001b[K` : `${text}\n`);
    },
    done() {
      if (shown && stream.isTTY) stream.write('\n');
    },
  };
}
