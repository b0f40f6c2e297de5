import { Writable } from 'node:stream';

/**
 * What a person sees on a terminal that was sent `output`: the text left on each row
 * after carriage returns, new lines and the cursor and erase sequences progress bars use
 * (cursor up, down, to a column, erase in line, erase below, save/restore); other
 * sequences (cursor shown or hidden, line wrap) change nothing seen. Rows are cut at
 * `columns`, as a terminal with line wrap off shows them.
 */
export function screenOf(output: string, columns: number): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let column = 0;
  let saved = { row, column };
  const line = () => (rows[row] ??= []);
  // eslint-disable-next-line no-control-regex -- escape sequences are what it reads
  const pattern = /\u001b\[(\??)([\d;]*)([A-Za-z])|\u001b([78])|([\r\n])|([^\u001b\r\n])/gu;
  for (const match of output.matchAll(pattern)) {
    const [, privateMode, parameters, command, saveOrRestore, control, character] = match;
    if (character !== undefined) {
      if (column < columns) line()[column] = character;
      column += 1;
    } else if (control === '\r') {
      column = 0;
    } else if (control === '\n') {
      row += 1;
      column = 0;
      line();
    } else if (saveOrRestore === '7') {
      saved = { row, column };
    } else if (saveOrRestore === '8') {
      ({ row, column } = saved);
    } else if (command !== undefined && privateMode === '') {
      const [first = 0, second = 0] = parameters.split(';').map((value) => (value === '' ? 0 : Number(value)));
      const count = Math.max(1, first);
      if (command === 'A') row = Math.max(0, row - count);
      else if (command === 'B') row += count;
      else if (command === 'C') column += count;
      else if (command === 'D') column = Math.max(0, column - count);
      else if (command === 'G') column = count - 1;
      else if (command === 'H') [row, column] = [Math.max(1, first) - 1, Math.max(1, second) - 1];
      else if (command === 'K') eraseInLine(line(), column, first);
      else if (command === 'J') {
        rows.splice(row + 1);
        eraseInLine(line(), column, 0);
      }
    }
  }
  return rows.map((cells) => Array.from(cells, (cell) => cell ?? ' ').join('').trimEnd());
}

function eraseInLine(cells: string[], column: number, mode: number): void {
  if (mode === 0) cells.length = Math.min(cells.length, column);
  else if (mode === 1) cells.fill(' ', 0, column + 1);
  else cells.length = 0;
}

/** A stream that says it is a terminal `columns` wide and keeps what is written to it. */
export class FakeTerminal extends Writable {
  readonly isTTY = true;
  private written = '';

  constructor(readonly columns: number) {
    super({
      write: (chunk: Buffer | string, _encoding, done) => {
        this.written += chunk.toString();
        done();
      },
    });
  }

  /** Everything written so far, escape sequences and all. */
  get output(): string {
    return this.written;
  }

  /** What a person sees on it now (see {@link screenOf}), without the blank rows at the end. */
  screen(): string[] {
    const rows = screenOf(this.written, this.columns);
    while (rows.length > 0 && rows[rows.length - 1] === '') rows.pop();
    return rows;
  }
}
