import { describe, expect, it } from 'vitest';
import { placeholdersIn, quoteLiteral, renderTemplate } from '../../src/sql/render';

describe('quoteLiteral', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it''s'"],
    ['back\\slash', "'back\\\\slash'"],
    ["x'; DROP TABLE users; --", "'x''; DROP TABLE users; --'"],
    ["\\'", "'\\\\'''"],
  ])('quotes %j as %s', (value, quoted) => {
    expect(quoteLiteral(value)).toBe(quoted);
  });

  it.each(['line\nbreak', 'carriage\rreturn', 'nul\u0000byte'])('refuses a control character in %j', (value) => {
    expect(() => quoteLiteral(value)).toThrow(/control character/);
  });
});

describe('renderTemplate', () => {
  it('replaces every placeholder, strings quoted and integers bare', () => {
    const sql = 'COPY t FROM {{ uri }} MAXERROR {{max_errors}} REGION {{ uri }};';
    expect(renderTemplate(sql, { uri: "s3://b/it's", max_errors: 5 })).toBe(
      "COPY t FROM 's3://b/it''s' MAXERROR 5 REGION 's3://b/it''s';",
    );
  });

  it('names the placeholder that has no value', () => {
    expect(() => renderTemplate('SELECT {{ missing }};', { other: 'x' })).toThrow(/missing.*known: other/);
  });

  it.each([-1, 1.5, Number.NaN])('refuses %s as an integer parameter', (value) => {
    expect(() => renderTemplate('MAXERROR {{ n }}', { n: value })).toThrow(/non-negative integer/);
  });

  it('lists placeholders once, in order', () => {
    expect(placeholdersIn('{{ b }} {{a}} {{ b }}')).toEqual(['b', 'a']);
  });
});
