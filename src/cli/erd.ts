import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ERD_MARKERS, erdBlock, mermaidErd, tablesOf } from '../sql/erd';
import { SQL_DIR } from '../sql/sql-files';
import { defineCommand, type OptionValues } from './options';
import { runCli } from './run-cli';

const ERD = defineCommand({
  usage: 'Usage: npm run erd [-- --write]',
  about: `Prints a Mermaid erDiagram of the star schema, generated from sql/03_create_star.sql
(columns, types, primary keys, REFERENCES).`,
  options: {
    write: { type: 'boolean', help: `put it into README.md between the ${ERD_MARKERS.start} and ${ERD_MARKERS.end} markers; a test fails when they disagree` },
  },
});

const README = path.join(SQL_DIR, '..', 'README.md');

async function main(values: OptionValues<typeof ERD.options>): Promise<number> {
  const diagram = mermaidErd(tablesOf(readFileSync(path.join(SQL_DIR, '03_create_star.sql'), 'utf8')));
  if (!values.write) {
    console.log(diagram);
    return 0;
  }
  const readme = readFileSync(README, 'utf8');
  const start = readme.indexOf(ERD_MARKERS.start);
  const end = readme.indexOf(ERD_MARKERS.end);
  if (start === -1 || end === -1) throw new Error(`README.md has no ${ERD_MARKERS.start} … ${ERD_MARKERS.end} block`);
  writeFileSync(README, readme.slice(0, start) + erdBlock(diagram) + readme.slice(end + ERD_MARKERS.end.length));
  console.log('README.md: diagram updated');
  return 0;
}

runCli(ERD, main);
