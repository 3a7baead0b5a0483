/**
 * One comment per purpose, updated in place: found by a hidden marker line.
 * The Action uses it for its report; the bot for incident diagnoses.
 */
import type { CommentInfo, Comments } from "./ports.js";

/** The hidden line that identifies a sticky comment. */
export function stickyMarker(key: string): string {
  return `<!-- meta-controller:sticky ${encodeURIComponent(key)} -->`;
}

/** Creates or updates the comment carrying `key`'s marker; returns it. */
export async function upsertStickyComment(
  comments: Comments,
  issueNumber: number,
  key: string,
  body: string,
): Promise<CommentInfo> {
  const marker = stickyMarker(key);
  const text = `${marker}\n${body}`;
  const existing = (await comments.list(issueNumber)).find((c) => c.body.includes(marker));
  if (existing) {
    await comments.update(existing.id, text);
    return { ...existing, body: text };
  }
  return comments.create(issueNumber, text);
}
