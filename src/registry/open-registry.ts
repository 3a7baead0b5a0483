/**
 * Opens the registry a command, the pipeline or the server names: the
 * `--registry` value (default: the local layout under the repository root),
 * `--insecure`, and credentials from flags or the environment.
 */
import { resolve } from "node:path";
import type { Logger } from "../common/logger.js";
import type { RegistryCredentials } from "./auth.js";
import { type ModelRegistry, openModelRegistry, type OpenRegistryOptions } from "./model-registry.js";
import { parseRegistryLocation, type RegistryLocation } from "./reference.js";

/** The registry flags every command that reads or writes models accepts. */
export interface RegistryFlags {
  /** `oci://host[:port]/namespace` or a folder; the local default when absent. */
  readonly registry?: string;
  /** Allow plain http to a loopback registry. */
  readonly insecure?: boolean;
  /** User for basic auth or the token service. */
  readonly username?: string;
}

/**
 * Credentials from flags and the environment: `--username` (else
 * `REGISTRY_USERNAME`, else `GITHUB_ACTOR`), password `REGISTRY_PASSWORD`,
 * else `GITHUB_TOKEN` (what GHCR takes). Secrets never come from flags, so
 * they stay out of shell history and process lists.
 */
export function readRegistryCredentials(flags: RegistryFlags, env: NodeJS.ProcessEnv): RegistryCredentials {
  const username = flags.username ?? env.REGISTRY_USERNAME ?? env.GITHUB_ACTOR;
  const password = env.REGISTRY_PASSWORD ?? env.GITHUB_TOKEN;
  return {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

/**
 * Opens the registry the flags name, relative to the repository root. With
 * a logger, a local registry's notices (a stale lock taken over, a new
 * registry folder kept out of git) are log lines in the command's format.
 */
export function openConfiguredRegistry(
  flags: RegistryFlags,
  context: {
    root: string;
    env?: NodeJS.ProcessEnv;
    options?: Omit<OpenRegistryOptions, "credentials">;
    logger?: Logger;
  },
): { registry: ModelRegistry; location: RegistryLocation } {
  const location = parseRegistryLocation(flags.registry, {
    repoRoot: context.root,
    insecure: flags.insecure === true,
    resolvePath: resolve,
  });
  const credentials = readRegistryCredentials(flags, context.env ?? process.env);
  const { logger } = context;
  const local = logger
    ? {
        onLockTakeover: (line: string) => logger.warn(line),
        onRootCreated: (line: string) => logger.warn(line),
        ...context.options?.local,
      }
    : context.options?.local;
  return {
    registry: openModelRegistry(location, {
      ...context.options,
      ...(local === undefined ? {} : { local }),
      credentials,
    }),
    location,
  };
}
