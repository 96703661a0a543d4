/**
 * The shape of the `reconciler` block, which the reconciler's payload carries
 * (core/lambda-payload-check.ts): a module of its own, so the Lambda constructs no schema it does not read.
 */
import * as z from 'zod/mini';
import { boundedInt, described, scheduleExpression, strictObject } from '../fields';

/** The `reconciler` block. */
export const reconciler = strictObject({
  sweepSchedule: described(z._default(scheduleExpression, 'rate(1 day)'), 'schedule of the drift sweep over every managed repository'),
  concurrency: described(z._default(boundedInt(1, 50), 8), 'repositories the sweep configures at once (1 to 50)'),
});
