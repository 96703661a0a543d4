/**
 * EventBridge schedule expressions, checked the way the EventBridge User Guide documents them
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html): six cron
 * fields with their value ranges and wildcards, and rate expressions. Each check is linear in the
 * length of the expression.
 */
import { quote } from '../quote';

interface CronField {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names accepted for values (JAN-DEC, SUN-SAT), mapped to their number. */
  readonly names?: readonly string[];
  /** Wildcards beyond "," "-" "*": "/" "?" "L" "W" "#". */
  readonly wildcards: string;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** The six fields, as the EventBridge User Guide's table lists them. */
export const CRON_FIELDS: readonly CronField[] = [
  { name: 'minutes', min: 0, max: 59, wildcards: '/' },
  { name: 'hours', min: 0, max: 23, wildcards: '/' },
  { name: 'day-of-month', min: 1, max: 31, wildcards: '/?LW' },
  { name: 'month', min: 1, max: 12, names: MONTHS, wildcards: '/' },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, wildcards: '?L#' },
  { name: 'year', min: 1970, max: 2199, wildcards: '/' },
];

function valueProblem(field: CronField, value: string): string | undefined {
  const named = field.names?.indexOf(value.toUpperCase()) ?? -1;
  if (named >= 0) return undefined;
  if (!/^\d{1,4}$/.test(value))
    return `${field.name} value ${quote(value, 20)} is not a number${field.names ? ` or one of ${field.names[0]}-${field.names[field.names.length - 1]}` : ''}`;
  const n = Number(value);
  if (n < field.min || n > field.max) return `${field.name} value ${value} is out of range ${field.min}-${field.max}`;
  return undefined;
}

function elementProblem(field: CronField, element: string): string | undefined {
  if (element === '*') return undefined;
  if (element === '?') return field.wildcards.includes('?') ? undefined : `${field.name} does not take "?"`;
  if (field.wildcards.includes('L')) {
    if (element === 'L' || (field.name === 'day-of-month' && element === 'LW')) return undefined;
    const last = /^(\w+)L$/.exec(element);
    if (last && field.name === 'day-of-week') return valueProblem(field, last[1]!);
  }
  if (field.wildcards.includes('W')) {
    const weekday = /^(\d{1,2})W$/.exec(element);
    if (weekday) return valueProblem(field, weekday[1]!);
  }
  if (field.wildcards.includes('#')) {
    const nth = /^(\w+)#(\d)$/.exec(element);
    if (nth)
      return (
        valueProblem(field, nth[1]!) ??
        (Number(nth[2]) >= 1 && Number(nth[2]) <= 5 ? undefined : `${field.name} "#" takes an occurrence from 1 to 5`)
      );
  }
  let base = element;
  const slash = element.indexOf('/');
  if (slash >= 0) {
    if (!field.wildcards.includes('/')) return `${field.name} does not take "/"`;
    const step = element.slice(slash + 1);
    base = element.slice(0, slash);
    if (!/^\d{1,4}$/.test(step) || Number(step) < 1)
      return `${field.name} increment ${quote(step, 20)} must be a whole number of at least 1`;
    if (base === '*') return undefined;
  }
  const range = base.split('-');
  if (range.length > 2) return `${field.name} element ${quote(element, 40)} is not a value, a range, or an increment`;
  for (const value of range) {
    const problem = valueProblem(field, value);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/**
 * Why six cron fields are not a schedule EventBridge accepts, or undefined when they are.
 * @example
 * cronProblem(['0', '25', '*', '*', '?', '*']) // 'hours value 25 is out of range 0-23'
 */
export function cronProblem(fields: readonly string[]): string | undefined {
  // EventBridge takes "?" in exactly one of the two day fields; both "?" names no day at all.
  if (fields[2] === '?' && fields[4] === '?')
    return 'day-of-month and day-of-week are both "?"; one of them must name the days (such as "*")';
  for (let i = 0; i < CRON_FIELDS.length; i++) {
    const field = CRON_FIELDS[i]!;
    for (const element of fields[i]!.split(',')) {
      const problem = elementProblem(field, element);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;

/** The interval of a rate expression in seconds, or undefined for a cron expression. */
export function rateSeconds(expression: string): number | undefined {
  const rate = RATE.exec(expression);
  if (!rate) return undefined;
  const unit = rate[2]!.startsWith('minute') ? 60 : rate[2]!.startsWith('hour') ? 3600 : 86400;
  return Number(rate[1]) * unit;
}

/**
 * Whether a valid schedule expression runs at least once every day: a rate of at most one day,
 * or a cron expression whose day-of-month, month, day-of-week and year fields are all "*" or "?".
 */
export function runsAtLeastDaily(expression: string): boolean {
  const seconds = rateSeconds(expression);
  if (seconds !== undefined) return seconds <= 86400;
  const cron = /^cron\(([^()]+)\)$/.exec(expression);
  if (!cron) return false;
  const [, , dayOfMonth, month, dayOfWeek, year] = cron[1]!.trim().split(/\s+/);
  return [dayOfMonth, month, dayOfWeek, year].every((f) => f === '*' || f === '?');
}
