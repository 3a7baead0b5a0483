/**
 * The sanitiser for posted text lives in `src/common/sanitize-markdown.ts`,
 * where every poster (bot, Action, run flow) can import it; this file keeps
 * the decision layer's old import path.
 */
export {
  DEFAULT_LINK_HOSTS,
  readLinkAllowList,
  sanitizeForGitHub,
  type SanitizeOptions,
} from "../common/sanitize-markdown.js";
