/** The {@link Comments} port on the REST issues, comments and reactions APIs. */
import { z } from "zod";
import { checkGitHubAnswer } from "./api-errors.js";
import type { CommentInfo, Comments } from "./ports.js";
import type { RepoList, RepoRequest } from "./rest-request.js";

const CommentSchema = z.object({
  id: z.number(),
  body: z.string().nullish(),
  html_url: z.string(),
  user: z.object({ login: z.string() }).nullable(),
});

function toComment(data: z.output<typeof CommentSchema>): CommentInfo {
  return { id: data.id, body: data.body ?? "", author: data.user?.login ?? "", url: data.html_url };
}

const ReactionsSchema = z.array(
  z.object({ content: z.string(), user: z.object({ login: z.string() }).nullable() }),
);

async function findOrCreateIssue(
  request: RepoRequest,
  list: RepoList,
  title: string,
  label: string,
  body: string,
) {
  const all = await list(`list issues labelled ${label}`, "GET /repos/{owner}/{repo}/issues", {
    labels: label,
    state: "open",
  });
  const issues = checkGitHubAnswer(
    "list issues",
    z.array(z.object({ number: z.number(), title: z.string() })),
    all,
  );
  const found = issues.find((i) => i.title === title);
  if (found) return found.number;
  const created = await request(`create issue ${title}`, "POST /repos/{owner}/{repo}/issues", {
    title,
    body,
    labels: [label],
  });
  return checkGitHubAnswer("create issue", z.object({ number: z.number() }), created.data).number;
}

/** The comments, reactions and tracking issues of one repository; lists read every page. */
export function createComments(request: RepoRequest, list: RepoList): Comments {
  return {
    async react(commentId, reaction) {
      await request(
        `react to comment ${commentId}`,
        "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
        { comment_id: commentId, content: reaction },
      );
    },
    async reactionsOf(issueNumber) {
      const all = await list(
        `reactions on #${issueNumber}`,
        "GET /repos/{owner}/{repo}/issues/{issue_number}/reactions",
        { issue_number: issueNumber },
      );
      return checkGitHubAnswer(`reactions on #${issueNumber}`, ReactionsSchema, all).map((r) => ({
        content: r.content,
        user: r.user?.login ?? "",
      }));
    },
    async create(issueNumber, body) {
      const res = await request(
        `comment on #${issueNumber}`,
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        { issue_number: issueNumber, body },
      );
      return toComment(checkGitHubAnswer(`comment on #${issueNumber}`, CommentSchema, res.data));
    },
    async update(commentId, body) {
      await request(
        `update comment ${commentId}`,
        "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
        {
          comment_id: commentId,
          body,
        },
      );
    },
    async list(issueNumber) {
      const all = await list(
        `list comments of #${issueNumber}`,
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
        { issue_number: issueNumber },
      );
      return checkGitHubAnswer(`list comments of #${issueNumber}`, z.array(CommentSchema), all).map(
        toComment,
      );
    },
    findOrCreateIssue: (title, label, body) => findOrCreateIssue(request, list, title, label, body),
  };
}
