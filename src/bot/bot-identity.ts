/**
 * The bot's own identity, for the markers it trusts: its key (from the
 * settings) and its user's login, `<app slug>[bot]`, asked of GitHub once
 * (`GET /app`, as the app) unless `BOT_LOGIN` names it.
 */
import type { Probot } from "probot";
import type { Logger } from "../common/logger.js";
import type { MarkerTrust } from "../github/marker-trust.js";
import { asOctokitLike } from "./octokit-like.js";

/** Builds the marker trust of a running app. */
export function createBotIdentity(
  app: Pick<Probot, "auth">,
  key: string,
  configuredLogin: string | undefined,
  log: Logger,
): MarkerTrust {
  let login: Promise<string | undefined> | undefined =
    configuredLogin === undefined ? undefined : Promise.resolve(configuredLogin);
  const ask = async (): Promise<string | undefined> => {
    try {
      const octokit = asOctokitLike(await app.auth());
      const res = await octokit.request("GET /app", {});
      const slug = (res.data as { slug?: unknown }).slug;
      if (typeof slug === "string" && slug !== "") return `${slug}[bot]`;
      log.warn("GET /app named no slug; the bot trusts none of its markers until it can learn its login");
    } catch (error) {
      log.warn({ err: error }, "could not learn the app's login; markers are not trusted for now");
    }
    // Asked again next time: a passing outage must not leave the bot distrusting itself for good.
    login = undefined;
    return undefined;
  };
  return {
    key,
    botLogin() {
      login ??= ask();
      return login;
    },
  };
}
