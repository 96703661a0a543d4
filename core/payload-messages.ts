/**
 * One-line messages for the issues a schema leaves unworded, in the Lambdas: zod/mini ships no
 * locale (its English locale is only loaded by the config layer, `core/config/validate.ts`), so the
 * payload checks pass this as their error map. Every field with a message of its own keeps it.
 */
import type * as z from 'zod/mini';
import { quote, truncate } from './quote';

/** How a value reads in a message: `the string "x"`, `number 7`, `a list`. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${quote(value, 40)}`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${truncate(String(value), 40)}`;
  return typeof value;
}

const NOUNS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/**
 * The message of an issue whose schema gave none.
 * @example
 * payloadIssueMessage({ code: 'invalid_type', expected: 'string', input: 7 }) // 'must be a string, got number 7'
 */
export function payloadIssueMessage(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required' : `must be ${NOUNS[issue.expected] ?? issue.expected}, got ${kindOf(issue.input)}`;
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => quote(k, 60)).join(', ')}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}; got ${kindOf(issue.input)}`;
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      const count = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const unit =
        issue.origin === 'array'
          ? count === 1
            ? ' item'
            : ' items'
          : issue.origin === 'string'
            ? count === 1
              ? ' character'
              : ' characters'
            : '';
      return issue.origin === 'array' || issue.origin === 'string'
        ? `must have ${bound}${unit}`
        : `must be ${bound}, got ${kindOf(issue.input)}`;
    }
    case 'invalid_format':
      return `must match ${issue.pattern ?? issue.format}, got ${kindOf(issue.input)}`;
    default:
      return `is not valid: got ${kindOf(issue.input)}`;
  }
}
