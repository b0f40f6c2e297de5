import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECORD_BYTES, readJsonRecords, type JsonRecord } from '../../src/json/json-records';
import { tempDir } from '../helpers/fixtures';

async function read(content: string | Buffer): Promise<JsonRecord[]> {
  const file = path.join(tempDir(), 'input.json');
  writeFileSync(file, content);
  const records: JsonRecord[] = [];
  for await (const record of readJsonRecords(file)) records.push(record);
  return records;
}

const values = (records: JsonRecord[]) => records.map((record) => ('value' in record ? record.value : record.error));

describe('readJsonRecords accepts', () => {
  it('one object per file without a trailing newline', async () => {
    expect(await read('{"a": 1}')).toEqual([{ line: 1, value: { a: 1 } }]);
  });

  it('newline-delimited objects with blank lines, CRLF and a BOM', async () => {
    const records = await read('\uFEFF{"a":1}\r\n\r\n{"a":2}\r\n\n{"a":3}\n');
    expect(records).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 3, value: { a: 2 } },
      { line: 5, value: { a: 3 } },
    ]);
  });

  it('pretty-printed objects spanning lines, nested ones included', async () => {
    const pretty = JSON.stringify({ a: 1, b: { c: [1, 2] } }, null, 2);
    const records = await read(`${pretty}\n${JSON.stringify({ a: 2 }, null, 4)}\n`);
    expect(records).toEqual([
      { line: 1, value: { a: 1, b: { c: [1, 2] } } },
      { line: 10, value: { a: 2 } },
    ]);
  });

  it('objects one after another on a line, and braces inside strings', async () => {
    expect(values(await read('{"a":"}{"}{"a":"\\"{"}\n'))).toEqual([{ a: '}{' }, { a: '"{' }]);
  });

  it('a file of only blank lines as no records', async () => {
    expect(await read('\n\r\n  \n')).toEqual([]);
  });
});

describe('readJsonRecords rejects, with the line, and goes on', () => {
  it('a truncated line followed by good ones', async () => {
    const records = await read('{"a":1,\n{"a":2}\n{"a":"cut\n{"a":3}\n');
    expect(records).toEqual([
      { line: 1, error: 'truncated record: a new object starts before it closes' },
      { line: 2, value: { a: 2 } },
      { line: 3, error: 'a string is not closed before the end of the line' },
      { line: 4, value: { a: 3 } },
    ]);
  });

  it('text that is not an object', async () => {
    const records = await read('[1,2]\nhello\n42\n"text"\n{"ok":true}\n');
    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 4, 5]);
    expect(values(records)).toEqual([
      'expected a JSON object, found an array',
      'expected a JSON object, found "hello"',
      'expected a JSON object, found "42"',
      'expected a JSON object, found "\\"text\\""',
      { ok: true },
    ]);
  });

  it('invalid JSON inside braces', async () => {
    const [record] = await read('{"a": tru}\n');
    expect(record).toMatchObject({ line: 1, error: expect.stringMatching(/^invalid JSON/) });
  });

  it('invalid UTF-8', async () => {
    const records = await read(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"a":1}\n')]));
    expect(records).toEqual([
      { line: 1, error: 'invalid UTF-8' },
      { line: 2, value: { a: 1 } },
    ]);
  });

  it('a record cut off by the end of the file', async () => {
    expect(await read('{"a":1}\n{\n  "a": 2,\n')).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: 'the file ends inside this record' },
    ]);
  });

  it('a line longer than the largest record, without holding it', async () => {
    const huge = `{"a":"${'x'.repeat(MAX_RECORD_BYTES + 10)}"}`;
    expect(await read(`${huge}\n{"a":1}\n`)).toEqual([
      { line: 1, error: `line longer than ${MAX_RECORD_BYTES} bytes` },
      { line: 2, value: { a: 1 } },
    ]);
  });
});
