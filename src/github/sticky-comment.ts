/**
 * One comment per purpose, updated in place: found by a hidden marker line
 * in a comment written by the expected author. The Action uses it for its
 * report; the bot for incident diagnoses, with the marker sealed by its
 * key. Anyone can paste a marker into a comment of their own, so a comment
 * by anyone else is never taken for (and never overwritten as) ours.
 */
import { markerSeal } from "./marker-trust.js";
import type { CommentInfo, Comments } from "./ports.js";

/** Who the sticky comment belongs to. */
export interface StickyOwner {
  /** Logins that write this comment: the one the token comments as. */
  readonly authors: readonly string[];
  /** The bot's marker key: the marker then carries a seal. */
  readonly sealKey?: string | undefined;
}

/** The hidden line that identifies a sticky comment. */
export function stickyMarker(key: string, sealKey?: string): string {
  const encoded = encodeURIComponent(key);
  const seal = sealKey === undefined ? "" : ` seal=${markerSeal(sealKey, "sticky", encoded)}`;
  return `<!-- meta-controller:sticky ${encoded}${seal} -->`;
}

/** Creates or updates the comment carrying `key`'s marker and written by `owner`; returns it. */
export async function upsertStickyComment(
  comments: Comments,
  issueNumber: number,
  key: string,
  body: string,
  owner: StickyOwner,
): Promise<CommentInfo> {
  const marker = stickyMarker(key, owner.sealKey);
  const text = `${marker}\n${body}`;
  const existing = (await comments.list(issueNumber)).find(
    (c) => owner.authors.includes(c.author) && c.body.startsWith(`${marker}\n`),
  );
  if (existing) {
    await comments.update(existing.id, text);
    return { ...existing, body: text };
  }
  return comments.create(issueNumber, text);
}
