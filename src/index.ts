/**
 * The library API: `MetaController`, for people who script the controller
 * in TypeScript. Every method is a thin call into the use cases the CLI, the
 * Action and the bot call — training is `trainPipeline`, environment changes
 * are the run flow's use cases in `operations/` over a local checkout or,
 * when a GitHub client is given, pull requests; serving is
 * `startModelServer`, the bot is `startBot`.
 */
import { resolve } from "node:path";
import { createLogger, type Logger } from "./common/logger.js";
import type { BotConfig } from "./config/bot-config.js";
import type { PipelineSpec } from "./config/pipeline.js";
import type { StrategyType } from "./config/environment.js";
import type { RepoPorts } from "./github/ports.js";
import { trainPipeline } from "./pipeline/train.js";
import type { ModelRegistry } from "./registry/model-registry.js";
import { openConfiguredRegistry } from "./registry/open-registry.js";
import {
  createPipelineRuns,
  type PipelineRuns,
  type RunStatus,
  type TrainFunction,
  type TriggerOptions,
} from "./library/pipeline-runs.js";
import { collectSystemHealth, type SystemHealth } from "./library/system-health.js";
import type { RunningBot, StartBotOptions } from "./bot/start.js";
import { deployModel } from "./operations/deploy.js";
import type { ChangeResult, DesiredState, EnvironmentFile } from "./operations/desired-state.js";
import { loadEnvironment } from "./operations/environment-files.js";
import type { OperationContext } from "./operations/operation-context.js";
import { createLocalDesiredState } from "./operations/local-desired-state.js";
import { pinModelReference } from "./operations/pin-reference.js";
import { promoteCandidate } from "./operations/promote.js";
import { openRepositoryContext } from "./operations/repository-context.js";
import { abortRollout, rollBackEnvironment } from "./operations/rollback.js";
import { readEnvironmentStatus, type EnvironmentStatus } from "./operations/status.js";
import type { RunningServer } from "./serve/start-server.js";

export type { RunState, RunStatus, TriggerOptions, TrainFunction } from "./library/pipeline-runs.js";
export type {
  EnvironmentHealth,
  IncidentSummary,
  ServingHealth,
  SystemHealth,
} from "./library/system-health.js";
export type { PipelineSpec } from "./config/pipeline.js";
export type { EnvironmentSpec } from "./config/environment.js";
export type { ModelRegistry } from "./registry/model-registry.js";
export type { RepoPorts } from "./github/ports.js";
export type { ChangeResult, DesiredState } from "./operations/desired-state.js";
export type { EnvironmentStatus } from "./operations/status.js";

/** A GitHub repository to change through pull requests instead of local files. */
export interface MetaControllerGitHub {
  /** The narrow GitHub ports the bot uses (`src/github/rest-ports.ts` builds them from an Octokit). */
  readonly ports: RepoPorts;
  /** Branch PRs target; default `main`. */
  readonly baseBranch?: string;
  /** Bot settings; read from `.github/meta-controller.yml` on the base branch when absent. */
  readonly config?: BotConfig;
  /** Who is named as requester in PR bodies; default `library`. */
  readonly requester?: string;
}

/** Options of {@link MetaController}. */
export interface MetaControllerOptions {
  /** Repository root: pipelines, data and `environments/` are relative to it. */
  readonly root: string;
  /** Registry: `oci://host/namespace`, a folder, or an open {@link ModelRegistry}; default the local layout. */
  readonly registry?: string | ModelRegistry;
  /** Allow plain http to a loopback registry. */
  readonly insecure?: boolean;
  /** Change environments through PRs on this repository instead of local files. */
  readonly github?: MetaControllerGitHub;
  /** Model servers whose live state {@link MetaController.getSystemHealth} reports. */
  readonly serverUrls?: readonly string[];
  /** The engine's JSONL decision log (a file, or a folder of month shards such as a checkout of the `meta-controller/state` branch), for the last incidents in health. */
  readonly decisionLog?: string;
  readonly logger?: Logger;
  /** Commit each local environment change (`git commit` of that file); default false. */
  readonly commit?: boolean;
  /** Injection points for tests: the training use case, clock and HTTP. */
  readonly train?: TrainFunction;
  readonly now?: () => Date;
  readonly fetch?: typeof fetch;
}

/** Options of {@link MetaController.deployModel}. */
export interface DeployOptions {
  /** Rollout strategy; the environment file's own when absent. */
  readonly strategy?: StrategyType;
  /** Replace a rollout in progress. */
  readonly force?: boolean;
}

/** What a deploy, promote, abort or rollback did: a local file edit, or a PR. */
export interface EnvironmentChange {
  readonly via: "file" | "pull_request";
  readonly environment: string;
  readonly result: ChangeResult;
}

/** Options of {@link MetaController.start}. */
export interface StartOptions {
  /** The environment file the server serves, e.g. `environments/staging.yaml`. */
  readonly environment: string;
  /** Server port (0 picks a free one); default 8080. */
  readonly port?: number;
  /** Listen address; default 127.0.0.1. */
  readonly host?: string;
  /** Also start the bot with these settings (`readStartBotOptions(process.env)` reads them as the CLI does). */
  readonly bot?: StartBotOptions;
  /** Seconds between re-reads of the environment file; the server's default when absent. */
  readonly watchIntervalMs?: number;
}

/** The server and, when asked, the bot running in this process. */
export interface RunningController {
  readonly server: RunningServer;
  readonly bot: RunningBot | undefined;
  /** Stops the bot, then drains and stops the server. */
  close(): Promise<void>;
}

/**
 * The controller as a library. One instance per repository root; pipelines
 * and runs are remembered in memory for the instance's life.
 */
export class MetaController {
  readonly #root: string;
  readonly #registry: ModelRegistry;
  readonly #registryFlag: string | undefined;
  readonly #insecure: boolean;
  readonly #github: MetaControllerGitHub | undefined;
  readonly #logger: Logger;
  readonly #runs: PipelineRuns;
  readonly #options: MetaControllerOptions;

  /** Opens the registry (no I/O yet) and prepares the run book. */
  constructor(options: MetaControllerOptions) {
    this.#options = options;
    this.#root = options.root;
    this.#insecure = options.insecure === true;
    this.#logger = options.logger ?? createLogger({ level: "warn" });
    if (typeof options.registry === "object") {
      this.#registry = options.registry;
      this.#registryFlag = undefined;
    } else {
      this.#registryFlag = options.registry;
      this.#registry = openConfiguredRegistry(
        {
          ...(options.registry === undefined ? {} : { registry: options.registry }),
          insecure: this.#insecure,
        },
        { root: options.root },
      ).registry;
    }
    this.#github = options.github;
    this.#runs = createPipelineRuns({
      root: options.root,
      train: options.train ?? trainPipeline,
      trainOptions: () => ({ registry: this.#registry, logger: this.#logger }),
      now: options.now ?? (() => new Date()),
    });
  }

  /**
   * Registers a pipeline: a path (relative to the root) or a config object
   * in the `pipelines/*.yaml` format. Validates it now; returns its id.
   */
  registerPipeline(config: PipelineSpec | string): Promise<string> {
    return this.#runs.register(config);
  }

  /** Starts a training run of a registered pipeline in the background; returns the run id. */
  triggerPipeline(pipelineId: string, options: TriggerOptions = {}): string {
    return this.#runs.trigger(pipelineId, options);
  }

  /** The state of a run: running, succeeded (metrics, gates, pushed reference) or failed (error). */
  getRunStatus(runId: string): RunStatus {
    return this.#runs.status(runId);
  }

  /** Resolves when the run ends, with its final status; never rejects for a failed run. */
  waitForRun(runId: string): Promise<RunStatus> {
    return this.#runs.wait(runId);
  }

  /**
   * Deploys a model to an environment: `modelRef` is `name:tag`, `name@sha256:…`
   * or both; a tag is pinned to its digest through the registry first. Edits
   * `environments/<environment>.yaml` locally, or opens the deploy PR when a
   * GitHub client was given.
   */
  async deployModel(
    modelRef: string,
    environment: string,
    options: DeployOptions = {},
  ): Promise<EnvironmentChange> {
    const pinned = await pinModelReference(this.#registry, modelRef);
    return this.#change(environment, (ctx, env) =>
      deployModel(ctx, env, { ref: pinned, strategy: options.strategy, force: options.force === true }),
    );
  }

  /**
   * Rolls an environment back: a rollout in progress is aborted; otherwise
   * the stable model is replaced by the last good one from the file's
   * history. The bad digest is quarantined either way.
   */
  rollback(environment: string): Promise<EnvironmentChange> {
    return this.#change(environment, (ctx, env) =>
      rollBackEnvironment(ctx, env, "Requested through the library API."),
    );
  }

  /** Promotes the candidate of an environment to stable. */
  promote(environment: string): Promise<EnvironmentChange> {
    return this.#change(environment, (ctx, env) => promoteCandidate(ctx, env));
  }

  /** Aborts the rollout in progress: the candidate is cleared and quarantined. */
  abort(environment: string): Promise<EnvironmentChange> {
    return this.#change(environment, (ctx, env) =>
      abortRollout(ctx, env, "Aborted through the library API."),
    );
  }

  /** What an environment file says now, and when it last changed. */
  async getEnvironmentStatus(environment: string): Promise<EnvironmentStatus> {
    return readEnvironmentStatus(await this.#state(), environment);
  }

  /** Environments as Git says, models serving as the servers say, last incidents, registry reachability. */
  getSystemHealth(): Promise<SystemHealth> {
    return collectSystemHealth({
      root: this.#root,
      registry: this.#registry,
      serverUrls: this.#options.serverUrls ?? [],
      ...(this.#options.decisionLog === undefined ? {} : { decisionLog: this.#options.decisionLog }),
      fetch: this.#options.fetch ?? fetch,
      incidentLimit: 10,
      timeoutMs: 2000,
    });
  }

  /** Starts the model server and, with `bot` settings, the bot in this process (small setups). */
  async start(options: StartOptions): Promise<RunningController> {
    const { startModelServer } = await import("./serve/start-server.js");
    const server = await startModelServer({
      envFile: resolve(this.#root, options.environment),
      root: this.#root,
      port: options.port ?? 8080,
      host: options.host ?? "127.0.0.1",
      ...(this.#registryFlag === undefined ? {} : { registry: this.#registryFlag }),
      insecure: this.#insecure,
      ...(options.watchIntervalMs === undefined ? {} : { watchIntervalMs: options.watchIntervalMs }),
      logger: this.#logger,
    });
    let bot: RunningBot | undefined;
    if (options.bot !== undefined) {
      try {
        const { startBot } = await import("./bot/start.js");
        bot = await startBot(options.bot, this.#logger);
      } catch (error) {
        await server.close();
        throw error;
      }
    }
    return {
      server,
      bot,
      close: async () => {
        await bot?.stop();
        await server.close();
      },
    };
  }

  async #state(): Promise<DesiredState> {
    const github = this.#github;
    if (github === undefined) {
      return createLocalDesiredState({ root: this.#root, commit: this.#options.commit === true });
    }
    const repo = await openRepositoryContext(github.ports, {
      baseBranch: github.baseBranch ?? "main",
      ...(github.config === undefined ? {} : { config: github.config }),
    });
    return repo.state;
  }

  async #change(
    environment: string,
    operation: (ctx: OperationContext, env: EnvironmentFile) => Promise<ChangeResult>,
  ): Promise<EnvironmentChange> {
    const state = await this.#state();
    const env = await loadEnvironment(state, environment);
    const result = await operation({ state, requester: this.#github?.requester ?? "library" }, env);
    return { via: this.#github === undefined ? "file" : "pull_request", environment, result };
  }
}
