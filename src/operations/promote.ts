/** Promote: the candidate becomes the stable model. */
import { buildPromoteEdit, digestOfRef, shortDigest } from "../deploy/environment-edits.js";
import type { ChangeResult, EnvironmentFile } from "./desired-state.js";
import { OperationRefusal, validateEnvironmentText } from "./environment-files.js";
import { modelNameOfRef } from "./model-names.js";
import { renderFooter, type OperationContext } from "./operation-context.js";

/** Proposes the change promoting `env`'s candidate to stable. */
export async function promoteCandidate(ctx: OperationContext, env: EnvironmentFile): Promise<ChangeResult> {
  const candidate = env.spec.candidate;
  const digest = digestOfRef(candidate);
  if (!candidate || !digest) throw new OperationRefusal(`\`${env.name}\` has no candidate to promote`);
  const newText = buildPromoteEdit(env.path, env.text);
  validateEnvironmentText(env.path, newText);
  const was = env.spec.stable ? `\`${env.spec.stable}\`` : "none";
  return ctx.state.propose({
    kind: "promote",
    environment: env,
    newText,
    branch: `meta-controller/promote/${env.name}/${shortDigest(digest)}`,
    title: `Promote ${modelNameOfRef(candidate)} (${shortDigest(digest)}) to stable in ${env.name}`,
    body:
      `Makes the candidate \`${candidate}\` the stable model of **${env.name}** (was ${was}).` +
      renderFooter(ctx.requester),
    merge: "auto",
    fallback: "clean_status_only",
    modelRef: candidate,
  });
}
