/**
 * The image list's own YAML reader (core/prewarm/image-list-yaml.ts) against the `yaml` package,
 * which read image lists before: whatever the reader accepts, `yaml` reads the same; what `yaml`
 * rejects, the reader rejects; and what it refuses although `yaml` reads it is a YAML feature an
 * image list does not need, refused with a message saying so. The corpus holds the forms the docs
 * give, forms people write, and hostile inputs (alias bombs, tags, deep nesting, separators).
 */
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { ImageListError, parseImageList } from '../../core/prewarm';

type Outcome = { ok: string[] } | { error: string };

/** How image lists were read with the `yaml` package (the previous parseImageList), as the reference. */
function withYamlPackage(text: string): Outcome {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
  if (lines.length === 0) return { ok: [] };
  // The previous reader took a list starting with "---" for lines; both now read it as YAML.
  if (lines[0] !== '---' && !/^(\[|\{|-(\s|$)|images\s*:)/.test(lines[0]!)) return { ok: lines };
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    return { error: (err as Error).message };
  }
  const list = Array.isArray(doc) ? doc : doc !== null && typeof doc === 'object' ? (doc as { images?: unknown }).images : undefined;
  if (!Array.isArray(list)) return { error: 'not a list' };
  const bad = list.find((e) => typeof e !== 'string' || e.trim() === '');
  return bad === undefined ? { ok: list.map((e: string) => e.trim()) } : { error: `not a string: ${JSON.stringify(bad)}` };
}

function withReader(text: string): Outcome {
  try {
    return { ok: parseImageList(text, 'list') };
  } catch (err) {
    if (err instanceof ImageListError) return { error: err.message };
    throw err;
  }
}

const REFUSED =
  /is not an image list this reader takes: .+ \(line \d+\); write one reference per line, a JSON list, or a YAML list of plain or quoted references/;

/** Lists both read to the same references. */
const SUPPORTED: readonly string[] = [
  '- nginx:1.27\n- redis:7\n',
  '# critical images\n- nginx:1.27   # web\n\n-   ghcr.io/org/app:v1\n',
  '  - nginx:1.27\n  - redis:7\n',
  '---\n- nginx:1.27\n',
  '--- # the list\n- nginx:1.27\n',
  '---\nimages: [a, b]\n',
  'images:\n  - nginx:1.27\n  - quay.io/org/tool@sha256:' + 'a'.repeat(64) + '\n',
  'images:\n- nginx:1.27\n- redis:7\n',
  'images :\n    - nginx:1.27\n',
  'images: [nginx:1.27, "redis:7", \'ghcr.io/o/a:v1\']\n',
  'images: [\n  nginx:1.27,   # web\n  redis:7,\n]\n',
  '[nginx:1.27, redis:7]',
  '["nginx:1.27", "redis:7"]',
  '{"images": ["nginx:1.27"]}',
  '{images: [nginx:1.27, redis:7]}',
  '{ images: [nginx], note: hello }',
  '- "nginx:1.27"\n- \'redis:7\'\n- "ghcr.io/o/a:v1" # quoted\n',
  "- 'it''s:1'\n",
  '- "a\\"b"\n- "tab\\there"\n- "\\u00e9t\\u00e9:1"\n',
  '- "a #b"\n- a#b\n- \'c # d\'\n',
  '- nginx:1.27\r\n- redis:7\r\n',
  '- -dash:1\n- ?q\n- :colon\n',
  '- 2001-12-14\n- 1.2.3\n- 0b101\n- 1_000\n',
  '- registry.k8s.io/pause:3.9@sha256:' + 'b'.repeat(64) + '\n',
  '- 日本:1\n- nginx:ünïcode\n',
  '[]',
  'images: []',
  '- nginx\n# trailing comment\n\n',
  // Not YAML to either reader (the first line is no list): one reference per line, as before.
  'a: &a ["lol","lol","lol"]\nimages: [*a,*a,*a]\n',
  '%YAML 1.2\n---\n- nginx\n',
  '--- - a\n',
];

/** Lists both reject (an entry that is no string, a missing list, broken syntax). */
const BOTH_REJECT: readonly string[] = [
  'images: [nginx, 3]',
  '{ other: 1 }',
  '- 3\n',
  '- 1.27\n',
  '- true\n- nginx\n',
  '- null\n',
  '- ~\n',
  '-\n- nginx\n',
  '- 0x1F\n- 0o17\n- .inf\n- -.5e3\n',
  '- nginx: 1.27\n',
  '- a\n- [b, c]\n',
  '- a\n- {b: c}\n',
  'images:\n  - a\n  - - b\n',
  'images: nginx',
  '["nginx", 1]',
  '{"images": "nginx"}',
  '[nginx, [a, b]]',
  '- "unterminated\n',
  "- 'unterminated\n",
  '[a, b',
  '- a\n---\n- b\n',
  'images:\n  - a\nimages:\n  - b\n',
  '{images: [a], images: [b]}',
  '['.repeat(200) + ']'.repeat(200),
  'images:\n',
  '- "a"b\n',
  '[a, b] c',
  '[#a]',
];

/** YAML an image list does not need: `yaml` reads these (or some), the reader refuses them by name. */
const REFUSED_CASES: readonly string[] = [
  // Alias bomb ("billion laughs"): the reader refuses at the first anchor, before any expansion.
  '- &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n- &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n- &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n- [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
  '- &x nginx:1.27\n- *x\n',
  '- a\n  - b\n',
  '- "\\x41"\n- nginx\n',
  '- !!str 3\n',
  '- !local nginx\n',
  '- |\n  nginx:1.27\n',
  '- >\n  nginx:1.27\n',
  '- nginx\n  :1.27\n',
  '- a\n...\n',
  '- a\n%YAML 1.2\n',
  'images:\n  - a\nother: 1\n',
  'images:\n\t- a\n',
  '- a\n\t- b\n',
  '- "a"b\n',
  '  [a, b]\n  # fine\nmore',
  '[a, [b]]\n# not JSON',
  '{images: {nested: [a]}}',
  '- a\u2028- b\n',
  '- `cmd`\n',
  '- @at\n',
  '- a\n- ,b\n',
  '- "\\e"\n',
  '[a\n b]',
];

describe('a byte order mark', () => {
  // YAML 1.2 allows a byte order mark at the start of a stream (section 5.2, "Character Encodings");
  // the yaml package, as the previous reader called it, failed on one before a block list.
  test('before a YAML list is skipped, where the yaml package failed', () => {
    const text = '\uFEFF- nginx:1.27\r\n- redis:7\r\n';
    expect(withYamlPackage(text)).toEqual({ error: expect.stringMatching(/^Unexpected scalar/) });
    expect(withReader(text)).toEqual({ ok: ['nginx:1.27', 'redis:7'] });
  });
});

describe('the image list YAML reader agrees with the yaml package', () => {
  test.each(SUPPORTED.map((t) => [JSON.stringify(t).slice(0, 60), t]))('reads %s as yaml does', (_name, text) => {
    const ours = withReader(text);
    expect(ours).toEqual(withYamlPackage(text));
    expect('ok' in ours).toBe(true);
  });

  test.each(BOTH_REJECT.map((t) => [JSON.stringify(t).slice(0, 60), t]))('rejects %s, as yaml does', (_name, text) => {
    expect('error' in withYamlPackage(text)).toBe(true);
    const ours = withReader(text);
    expect(ours).toEqual({ error: expect.stringMatching(/^prewarm image list list: /) });
  });

  test.each(REFUSED_CASES.map((t) => [JSON.stringify(t).slice(0, 60), t]))(
    'refuses %s, naming the YAML feature and its line',
    (_name, text) => {
      expect(withReader(text)).toEqual({ error: expect.stringMatching(REFUSED) });
    },
  );

  test('a list after a leading "---" is read as YAML, not as lines', () => {
    expect(parseImageList('--- # critical\n- nginx:1.27\n- "redis:7"\n', 'f')).toEqual(['nginx:1.27', 'redis:7']);
    expect(() => parseImageList('---\n', 'f')).toThrow(
      'prewarm image list f: a YAML/JSON image list must be a list, or an object with an "images" list',
    );
  });

  test('an entry that is not a string is named with its YAML text', () => {
    expect(() => parseImageList('- nginx\n- 0x1F\n', 's3://b/k')).toThrow(
      new ImageListError('s3://b/k', '[1] must be an image reference string, got 0x1F'),
    );
    expect(() => parseImageList('images:\n  - nginx\n  -\n', 'f')).toThrow(
      'prewarm image list f: images[1] must be an image reference string, got null',
    );
  });

  test('a megabyte flow list is read in linear time', () => {
    const refs = Array.from({ length: 40_000 }, (_, i) => `registry.example.com/team/app-${i}:v${i}`);
    const text = `images: [${refs.join(', ')}]`;
    expect(text.length).toBeGreaterThan(1_000_000);
    expect(parseImageList(text, 'big')).toEqual(refs);
  });
});

// Entries from the characters of references plus YAML's indicators, spaces, quotes and non-ASCII.
const entry = fc.string({
  unit: fc.constantFrom(...'abz09./:@-_'.split(''), ...' #\'"[]{},&*!|>%?`\\\té~'.split(''), '\u00e9', '日'),
  minLength: 1,
  maxLength: 12,
});
const style = fc.constantFrom('plain', 'single', 'double');
const render = (value: string, how: string): string =>
  how === 'single' ? `'${value.replace(/'/g, "''")}'` : how === 'double' ? JSON.stringify(value) : value;

describe('generated image lists', () => {
  test('whatever the reader accepts, yaml reads the same; well-formed reference lists are accepted', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(entry, style, fc.option(fc.constantFrom(' # note', '   #x', ''), { nil: undefined })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.constantFrom('block', 'indented', 'images-block', 'flow', 'images-flow'),
        (items, layout) => {
          const rendered = items.map(([v, how]) => render(v, how));
          const comment = (i: number): string => items[i]![2] ?? '';
          const text =
            layout === 'block'
              ? rendered.map((r, i) => `- ${r}${comment(i)}\n`).join('')
              : layout === 'indented'
                ? rendered.map((r, i) => `  - ${r}${comment(i)}\n`).join('')
                : layout === 'images-block'
                  ? `images:\n${rendered.map((r, i) => `  - ${r}${comment(i)}\n`).join('')}`
                  : layout === 'flow'
                    ? `[${rendered.join(', ')}]\n`
                    : `images: [${rendered.join(', ')}]\n`;
          const ours = withReader(text);
          if ('ok' in ours) expect(ours).toEqual(withYamlPackage(text));
          else expect(ours.error).toMatch(/^prewarm image list list: /);
          // Quoted references (and plain ones of the reference grammar) are always read.
          if (
            items.every(([v, how]) =>
              how !== 'plain'
                ? !/[\\\u0000-\u001f]/.test(v) && v.trim() !== ''
                : /^[a-z0-9][a-z0-9./:@_-]*$/.test(v) && !/:$/.test(v) && !/^[0-9.]+$/.test(v),
            )
          ) {
            expect(ours).toEqual(withYamlPackage(text));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
