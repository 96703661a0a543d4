/**
 * The few Go-template and Sprig operations chart templates use to build an image string, with
 * Helm's meaning, so the corpus renders can be transcribed from the templates line by line.
 */

/** A values tree as Helm's YAML parser gives it (merge keys followed). */
export type Values = Record<string, unknown>;

/** `.Values.a.b.c`: the value at a dotted path, or undefined. */
export function at(values: unknown, path: string): unknown {
  let node: unknown = values;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Go template truthiness: nil, false, 0, "" and empty collections are false. */
export function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/** How `{{ x }}` prints a value: nil prints `<no value>`, like Helm does for a missing key. */
export function str(value: unknown): string {
  if (value === undefined || value === null) return '<no value>';
  if (typeof value === 'string') return value;
  // Numbers and booleans print as String prints them; Helm prints a map as `map[...]`, which no image
  // part is, and JSON keeps a failure message readable.
  return JSON.stringify(value);
}

/** Sprig `default d x`: x when truthy, else d. */
export function dflt(d: unknown, x: unknown): unknown {
  return truthy(x) ? x : d;
}

/** Sprig `merge dst src`: keys of src fill dst where dst's value is empty (mergo without override). */
export function merge(dst: unknown, src: unknown): Values {
  const out: Values = { ...((dst ?? {}) as Values) };
  for (const [k, v] of Object.entries((src ?? {}) as Values)) if (!truthy(out[k])) out[k] = v;
  return out;
}

/** Sprig `mergeOverwrite dst src` (and Helm's layering of `-f` files): src wins, maps merge key by key. */
export function mergeOverwrite(dst: unknown, src: unknown): Values {
  const out: Values = { ...((dst ?? {}) as Values) };
  for (const [k, v] of Object.entries((src ?? {}) as Values)) {
    const d = out[k];
    const bothMaps = v !== null && typeof v === 'object' && !Array.isArray(v) && d !== null && typeof d === 'object' && !Array.isArray(d);
    out[k] = bothMaps ? mergeOverwrite(d, v) : v;
  }
  return out;
}
