import { createReadStream } from 'node:fs';

/** A JSON object read from a source file, or why the text at that place is not one. */
export type JsonRecord =
  | { readonly line: number; readonly value: Record<string, unknown> }
  | { readonly line: number; readonly error: string };

/** The largest record accepted, as for Redshift's COPY from JSON (4 MB per object). */
export const MAX_RECORD_BYTES = 4 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads the JSON objects of one file (a path, or its bytes as a stream such as an S3
 * object's body), streaming: newline-delimited objects, one object per file,
 * pretty-printed objects spanning lines, or objects one after another. A UTF-8 BOM,
 * CRLF line ends and blank lines are accepted. Text that is not a JSON object is
 * yielded as an error with the line it starts on, and reading goes on after it.
 */
export async function* readJsonRecords(file: string | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<JsonRecord> {
  for await (const records of readJsonRecordBatches(file)) yield* records;
}

/**
 * {@link readJsonRecords} a chunk of the file at a time: the records of each chunk read,
 * in order (some chunks have none). One promise per chunk, not per record, for loaders
 * that take millions of them.
 */
export async function* readJsonRecordBatches(file: string | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<JsonRecord[]> {
  const scanner = new RecordScanner();
  let lineNumber = 0;
  for await (const lines of readLineBatches(file)) {
    const records: JsonRecord[] = [];
    for (const line of lines) {
      lineNumber += 1;
      if (line === TOO_LONG) {
        scanner.abandon('the record goes on into a line that is too long', records);
        records.push({ line: lineNumber, error: `line longer than ${MAX_RECORD_BYTES} bytes` });
        continue;
      }
      let text: string;
      try {
        text = utf8.decode(line);
      } catch {
        scanner.abandon('the record goes on into a line that is not valid UTF-8', records);
        records.push({ line: lineNumber, error: 'invalid UTF-8' });
        continue;
      }
      if (lineNumber === 1) text = text.replace(/^\uFEFF/, '');
      scanner.feed(text.endsWith('\r') ? text.slice(0, -1) : text, lineNumber, records);
    }
    yield records;
  }
  const last: JsonRecord[] = [];
  scanner.abandon('the file ends inside this record', last);
  yield last;
}

/** Stands for a line longer than {@link MAX_RECORD_BYTES}, whose bytes are not kept. */
const TOO_LONG = Symbol('line too long');

/**
 * Splits a file into lines (raw bytes, without the `\n`), reading it as a stream: the
 * lines that end in each chunk read, and the last line at the end. A line longer than
 * {@link MAX_RECORD_BYTES} is not held in memory: it comes out as {@link TOO_LONG}.
 */
async function* readLineBatches(file: string | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): AsyncGenerator<(Buffer | typeof TOO_LONG)[]> {
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let tooLong = false;
  const chunks = typeof file === 'string' ? (createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>) : file;
  for await (const bytes of chunks) {
    const chunk = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const lines: (Buffer | typeof TOO_LONG)[] = [];
    let start = 0;
    let newline = chunk.indexOf(10, start);
    while (newline !== -1) {
      const piece = chunk.subarray(start, newline);
      if (tooLong || partialBytes + piece.length > MAX_RECORD_BYTES) lines.push(TOO_LONG);
      else lines.push(partial.length > 0 ? Buffer.concat([...partial, piece]) : piece);
      partial = [];
      partialBytes = 0;
      tooLong = false;
      start = newline + 1;
      newline = chunk.indexOf(10, start);
    }
    const rest = chunk.subarray(start);
    partialBytes += rest.length;
    if (partialBytes > MAX_RECORD_BYTES) {
      tooLong = true;
      partial = [];
    } else if (rest.length > 0) {
      partial.push(rest);
    }
    if (lines.length > 0) yield lines;
  }
  if (tooLong) yield [TOO_LONG];
  else if (partial.length > 0) yield [Buffer.concat(partial)];
}

/**
 * Finds where top-level JSON values begin and end across lines. Single-line records
 * take a fast path (one JSON.parse); others are scanned for braces outside strings.
 */
class RecordScanner {
  private pending: string[] = [];
  private pendingBytes = 0;
  private startLine = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  feed(text: string, line: number, out: JsonRecord[]): void {
    if (this.pending.length === 0) {
      const trimmed = text.trim();
      if (trimmed === '') return;
      if (trimmed.startsWith('{') && trimmed.endsWith('}')) {
        const parsed = parseObject(trimmed);
        if ('value' in parsed) {
          out.push({ line, value: parsed.value });
          return;
        }
      }
      this.startLine = line;
    } else if (text.startsWith('{') && this.depth > 0) {
      // An object opening at column 0 while one is still open: the open one was cut short.
      this.abandon('truncated record: a new object starts before it closes', out);
      this.startLine = line;
    }
    this.scan(text, line, out);
  }

  abandon(reason: string, out: JsonRecord[]): void {
    if (this.pending.length > 0) {
      out.push({ line: this.startLine, error: reason });
    }
    this.reset();
  }

  private scan(text: string, line: number, out: JsonRecord[]): void {
    let valueStart = 0;
    for (let index = 0; index < text.length; index += 1) {
      const char = text[index];
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (char === '\\') this.escaped = true;
        else if (char === '"') this.inString = false;
        continue;
      }
      if (this.depth === 0 && char !== '{' && char !== '[' && char.trim() !== '') {
        // Text outside any object: the rest of the line is not a record.
        out.push({ line, error: `expected a JSON object, found ${JSON.stringify(text.slice(index, index + 20))}` });
        this.reset();
        return;
      }
      if (char === '"') {
        this.inString = true;
      } else if (char === '{' || char === '[') {
        this.depth += 1;
      } else if (char === '}' || char === ']') {
        this.depth -= 1;
        if (this.depth <= 0) {
          out.push(this.finish(text.slice(valueStart, index + 1), this.startLine));
          valueStart = index + 1;
          this.startLine = line;
        }
      }
    }
    const rest = text.slice(valueStart);
    if (this.depth === 0 && !this.inString) return;
    this.pending.push(rest);
    this.pendingBytes += rest.length;
    if (this.inString) {
      this.abandon('a string is not closed before the end of the line', out);
    } else if (this.pendingBytes > MAX_RECORD_BYTES) {
      this.abandon(`record larger than ${MAX_RECORD_BYTES} bytes`, out);
    }
  }

  private finish(tail: string, line: number): JsonRecord {
    const text = [...this.pending, tail].join('\n');
    this.reset();
    const parsed = parseObject(text);
    return 'value' in parsed ? { line, value: parsed.value } : { line, error: parsed.error };
  }

  private reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }
}

function parseObject(text: string): { value: Record<string, unknown> } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { error: `invalid JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { error: `expected a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}` };
  }
  return { value: value as Record<string, unknown> };
}
