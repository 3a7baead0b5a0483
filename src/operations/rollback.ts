/**
 * Rollback and abort: take a bad digest out of service and quarantine it.
 * A bad candidate is cleared (an abort); a bad stable is replaced by the
 * last good stable from the file's history.
 */
import { buildAbortEdit, buildRollbackEdit, digestOfRef, shortDigest } from "../deploy/environment-edits.js";
import type { ChangeResult, EnvironmentFile } from "./desired-state.js";
import { OperationRefusal, validateEnvironmentText } from "./environment-files.js";
import { findLastGood } from "./last-good.js";
import { renderFooter, type OperationContext } from "./operation-context.js";

/** Input of {@link rollBack}. */
export interface RollbackInput {
  /** The bad digest; the candidate, else the stable, when absent. */
  readonly badDigest?: string | undefined;
  /** Deterministic change name; per bad digest when absent. */
  readonly branch?: string | undefined;
  /** Evidence and diagnosis for the change's description. */
  readonly details: string;
  /** `abort` for a rollout in progress; a bad candidate is aborted whatever is asked. */
  readonly kind: "abort" | "rollback";
  /** The last good stable, when the caller already looked it up. */
  readonly lastGood?: string | null | undefined;
  /** Finish a change an earlier attempt may have left half-made (see `ProposedChange.resume`). */
  readonly resume?: boolean;
}

/** The digest a rollback takes out: the one named, else the candidate, else the stable. */
function badDigestOf(env: EnvironmentFile, named: string | undefined): string {
  const bad = named ?? digestOfRef(env.spec.candidate) ?? digestOfRef(env.spec.stable);
  if (!bad) throw new OperationRefusal(`\`${env.name}\` serves nothing, so there is nothing to roll back`);
  return bad;
}

/** Proposes the change that takes the bad digest out of service and quarantines it. */
export async function rollBack(
  ctx: OperationContext,
  env: EnvironmentFile,
  input: RollbackInput,
): Promise<ChangeResult> {
  const bad = badDigestOf(env, input.badDigest);
  const stableBad = digestOfRef(env.spec.stable) === bad;
  const candidateBad = digestOfRef(env.spec.candidate) === bad;
  if (!stableBad && !candidateBad) {
    throw new OperationRefusal(
      `\`${bad}\` is neither the stable nor the candidate of \`${env.name}\` any more; nothing to roll back`,
    );
  }
  const lastGood = stableBad
    ? input.lastGood !== undefined
      ? input.lastGood
      : await findLastGood(ctx.state, env, bad)
    : env.spec.stable;
  if (stableBad && lastGood === null) {
    throw new OperationRefusal(
      `\`${env.name}\` has no earlier good stable model in the history of \`${env.path}\``,
    );
  }
  const newText =
    candidateBad && input.kind === "abort"
      ? buildAbortEdit(env.path, env.text)
      : buildRollbackEdit(env.path, env.text, { badDigest: bad, lastGood });
  validateEnvironmentText(env.path, newText);
  const verb = input.kind === "abort" ? "Abort" : "Roll back";
  const stableAfter = stableBad ? `\`${lastGood ?? ""}\`` : env.spec.stable ? `\`${env.spec.stable}\`` : "—";
  const body = [
    `${verb} in **${env.name}**: takes \`${bad}\` out of service and quarantines it.`,
    "",
    `| | |`,
    `| --- | --- |`,
    `| bad digest | \`${bad}\` |`,
    `| stable after merge | ${stableAfter} |`,
    `| candidate after merge | — |`,
    "",
    input.details,
  ].join("\n");
  return ctx.state.propose({
    kind: input.kind,
    environment: env,
    newText,
    branch: input.branch ?? `meta-controller/${input.kind}/${env.name}/${shortDigest(bad)}`,
    title: `${verb} ${env.name}: quarantine ${shortDigest(bad)}`,
    body: body + renderFooter(ctx.requester),
    merge: env.spec.rollback.merge,
    fallback: "always",
    modelRef: (stableBad ? lastGood : env.spec.stable) ?? bad,
    payload: { quarantined: bad },
    ...(input.resume === true ? { resume: true } : {}),
  });
}

/** Proposes aborting the rollout in progress: the candidate is cleared and quarantined. */
export function abortRollout(
  ctx: OperationContext,
  env: EnvironmentFile,
  details: string,
): Promise<ChangeResult> {
  if (!env.spec.candidate) throw new OperationRefusal(`\`${env.name}\` has no rollout in progress to abort`);
  return rollBack(ctx, env, { badDigest: digestOfRef(env.spec.candidate), details, kind: "abort" });
}

/**
 * What a person means by "roll back `env`": a rollout in progress is
 * aborted; otherwise the stable goes back to the last good one.
 */
export function rollBackEnvironment(
  ctx: OperationContext,
  env: EnvironmentFile,
  details: string,
): Promise<ChangeResult> {
  return rollBack(ctx, env, { details, kind: env.spec.candidate ? "abort" : "rollback" });
}
