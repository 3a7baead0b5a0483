/**
 * Who may do what. The level comes from the collaborator-permission API,
 * not from the webhook's `author_association`, which misreports private
 * organization members.
 */
import { PERMISSION_LEVELS, type PermissionLevel } from "../config/environment.js";

/** Whether `actual` reaches `required` (read < triage < write < maintain < admin). */
export function meetsLevel(actual: PermissionLevel | "none", required: PermissionLevel): boolean {
  if (actual === "none") return false;
  return PERMISSION_LEVELS.indexOf(actual) >= PERMISSION_LEVELS.indexOf(required);
}
