/**
 * Writing a repository policy while someone else may be writing it too. ECR has no conditional
 * write (SetRepositoryPolicy takes no version or ETag), so the reconciler narrows the race as far
 * as reads allow: it re-reads right before writing and re-merges when the policy changed since it
 * planned, then re-reads after writing and repairs a write that landed after its own (restoring
 * foreign statements that vanished, re-adding ours, never dropping what is there). What remains is
 * documented in docs/reconciler.md, "Concurrent writers".
 */
import { GetRepositoryPolicyCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { canonicalJson } from '../../core/policy/lifecycle';
import { mergeRepositoryPolicy, policyStatements } from '../../core/policy/merge';
import { isOwnedStatement, type PolicyStatement } from '../../core/policy/repository-policy';
import { RepositoryPolicyContendedError } from './errors';
import { oversizedPolicyReason, type Write } from './plan';

/** Write rounds (each: read, write, read) before giving up with `RepositoryPolicyContendedError`. */
export const POLICY_WRITE_ROUNDS = 3;

/** What the reconciler planned a policy write from. */
export interface PolicyContext {
  /** The policy text the plan was computed from (undefined: no policy). */
  readonly plannedFrom: string | undefined;
  /** Our statements, as the desired state wants them. */
  readonly owned: readonly PolicyStatement[];
}

/** How a guarded policy write ended. */
export type PolicyWriteResult =
  | { readonly kind: 'written'; readonly write: Write; readonly rounds: number }
  /** Someone else's write made ours unnecessary. */
  | { readonly kind: 'unchanged' }
  /** The policy as it now stands cannot take our statements (over ECR's size limit). */
  | { readonly kind: 'refused'; readonly reason: string };

/** Sends one policy write; the caller's `applyWrite`, so every command goes through one place. */
export type SendPolicyWrite = (write: Write) => Promise<void>;

/** Reads the repository policy text; undefined when the repository has none. */
export async function readPolicyText(ecr: ECRClient, repositoryName: string): Promise<string | undefined> {
  try {
    return (await ecr.send(new GetRepositoryPolicyCommand({ repositoryName }))).policyText;
  } catch (err) {
    if (err instanceof Error && err.name === 'RepositoryPolicyNotFoundException') return undefined;
    throw err;
  }
}

/** The identity of a statement for "is it still there": its Sid, or its whole canonical text when it has none. */
const identity = (statement: unknown): string => {
  const sid = (statement as { Sid?: unknown } | null)?.Sid;
  return typeof sid === 'string' && sid !== '' ? `sid:${sid}` : `json:${canonicalJson(statement)}`;
};

const isForeign = (statement: unknown): boolean => statement === null || typeof statement !== 'object' || !isOwnedStatement(statement);

/** The write that gives `current` our statements (merge), or undefined when it has them. */
function mergeWrite(current: string | undefined, owned: readonly PolicyStatement[]): Write | { refused: string } | undefined {
  const merge = mergeRepositoryPolicy(current, owned);
  if (merge.action === 'none') return undefined;
  if (merge.action === 'delete') return { kind: 'DeleteRepositoryPolicy' };
  const refused = oversizedPolicyReason(merge.policyText!, owned);
  return refused !== undefined ? { refused } : { kind: 'SetRepositoryPolicy', policyText: merge.policyText! };
}

/**
 * After a write of someone else landed on top of ours: everything now there, plus the foreign
 * statements we had written that vanished (put back at the end), plus ours.
 */
function repairWrite(
  after: string | undefined,
  written: Write,
  owned: readonly PolicyStatement[],
): Write | { refused: string } | undefined {
  const now = policyStatements(after);
  const present = new Set(now.statements.map(identity));
  const ours = written.kind === 'SetRepositoryPolicy' ? policyStatements(written.policyText).statements : [];
  const vanished = ours.filter((s) => isForeign(s) && !present.has(identity(s)));
  if (vanished.length === 0) return mergeWrite(after, owned);
  const { Statement: _now, ...rest } = now.document ?? { Version: '2012-10-17' };
  const restored = JSON.stringify({ ...rest, Statement: [...now.statements, ...vanished] });
  return mergeWrite(restored, owned) ?? { kind: 'SetRepositoryPolicy', policyText: restored };
}

const textOf = (write: Write): string | undefined => (write.kind === 'SetRepositoryPolicy' ? write.policyText : undefined);

/**
 * Writes `planned` (a SetRepositoryPolicy or DeleteRepositoryPolicy computed from
 * `context.plannedFrom`) so that no statement someone else put there is lost to a stale merge:
 *
 * 1. re-read; if the policy changed since it was planned from, the stale write is dropped and the
 *    merge redone from what is there now;
 * 2. write;
 * 3. re-read; if it is not what we wrote, another write landed after ours: keep everything it has,
 *    put back the foreign statements of ours it lost, add ours again, and go to 1.
 *
 * @throws RepositoryPolicyContendedError after `POLICY_WRITE_ROUNDS` rounds without a stable policy
 *   (transient: the event or the sweep retries it).
 */
export async function writePolicyGuarded(
  ecr: ECRClient,
  repositoryName: string,
  planned: Write,
  context: PolicyContext,
  send: SendPolicyWrite,
): Promise<PolicyWriteResult> {
  let seen = context.plannedFrom;
  let write: Write = planned;
  let wrote = false;
  for (let round = 1; round <= POLICY_WRITE_ROUNDS; round++) {
    const fresh = await readPolicyText(ecr, repositoryName);
    if (fresh !== seen) {
      const next = mergeWrite(fresh, context.owned);
      if (next === undefined) return wrote ? { kind: 'written', write, rounds: round } : { kind: 'unchanged' };
      if ('refused' in next) return { kind: 'refused', reason: next.refused };
      write = next;
    }
    await send(write);
    wrote = true;
    const after = await readPolicyText(ecr, repositoryName);
    if (after === textOf(write)) return { kind: 'written', write, rounds: round };
    const repair = repairWrite(after, write, context.owned);
    if (repair === undefined) return { kind: 'written', write, rounds: round };
    if ('refused' in repair) return { kind: 'refused', reason: repair.refused };
    seen = after;
    write = repair;
  }
  throw new RepositoryPolicyContendedError(repositoryName, POLICY_WRITE_ROUNDS);
}
