import { escapeControl, quote, truncate } from '../../core/quote';

describe('quote', () => {
  it('keeps a short value as it is, in double quotes', () => {
    expect(quote('nginx:1.27')).toBe('"nginx:1.27"');
  });

  it('caps a megabyte value at the limit and says how long it was', () => {
    const out = quote('a'.repeat(1_000_000));
    expect(out).toBe(`"${'a'.repeat(120)}...(1000000 characters)"`);
  });

  it('escapes NUL, newline, escape sequences, quotes and backslashes so the result is one printable line', () => {
    expect(quote('a\u0000b\nc\u001b[31m"\\')).toBe('"a\\u0000b\\nc\\u001b[31m\\"\\\\"');
    expect(escapeControl('x\u2028y\u0085')).toBe('x\\u2028y\\u0085');
  });

  it('counts characters as code points and never splits a surrogate pair', () => {
    expect(truncate('😀'.repeat(5), 3)).toBe('😀😀😀...(5 characters)');
    expect(truncate('😀'.repeat(3), 3)).toBe('😀😀😀');
  });
});
