/**
 * `meta-controller registry list|inspect|pull|push|tag|delete|gc`: the model
 * registry from the command line. Each subcommand parses its flags, calls the
 * registry, and prints a table or, with `--json`, one JSON document with
 * snake_case keys (logs go to stderr).
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { RegistryError, UsageError } from "../../common/errors.js";
import { describeFileError } from "../../registry/fs-port.js";
import type { GcReport, ModelRegistry, PushInput, ResolvedModel } from "../../registry/model-registry.js";
import { ANNOTATION_FILEPATH } from "../../registry/media-types.js";
import { openConfiguredRegistry, type RegistryFlags } from "../../registry/open-registry.js";
import {
  collectEnvironmentReferences,
  loadEnvironmentDocuments,
  resolveProtectedDigests,
} from "../../registry/protected-digests.js";
import { writeModelFolder } from "../../registry/pull-output.js";
import { DEFAULT_GC_GRACE_MS } from "../../registry/oci-layout.js";
import {
  formatModelReference,
  parseModelReference,
  type RegistryLocation,
} from "../../registry/reference.js";
import { createCliContext, printJson } from "../context.js";

interface CommonOptions extends RegistryFlags {
  readonly json?: boolean;
}

function withRegistryOptions(command: Command): Command {
  return command
    .option(
      "--registry <url>",
      "oci://host[:port]/namespace or a folder (default: .meta-controller/registry)",
    )
    .option("--insecure", "allow plain http, to a loopback registry only")
    .option("--username <user>", "registry user (password from REGISTRY_PASSWORD or GITHUB_TOKEN)")
    .option("--json", "print one JSON document");
}

function open(
  command: Command,
  options: CommonOptions,
): { registry: ModelRegistry; root: string; location: RegistryLocation } {
  const context = createCliContext(command);
  const { registry, location } = openConfiguredRegistry(options, {
    root: context.root,
    logger: context.logger,
  });
  context.logger.debug({ registry: registry.location }, "registry opened");
  return { registry, root: context.root, location };
}

function print(options: CommonOptions, document: unknown, human: string): void {
  if (options.json) printJson(document);
  else process.stdout.write(`${human}\n`);
}

/** Renders rows as an aligned text table. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

function describeManifest(resolved: ResolvedModel) {
  return {
    name: resolved.name,
    digest: resolved.digest,
    artifact_type: resolved.manifest.artifactType ?? null,
    config: { media_type: resolved.manifest.config.mediaType, digest: resolved.manifest.config.digest },
    layers: resolved.manifest.layers.map((layer) => ({
      media_type: layer.mediaType,
      digest: layer.digest,
      size: layer.size,
      filepath: layer.annotations?.[ANNOTATION_FILEPATH] ?? null,
    })),
  };
}

async function loadProtected(registry: ModelRegistry, root: string, dir: string): Promise<Set<string>> {
  const documents = await loadEnvironmentDocuments(resolve(root, dir));
  return resolveProtectedDigests(registry, collectEnvironmentReferences(documents));
}

async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw describeFileError(error, "read", path);
  }
}

function registerList(registryCommand: Command): void {
  withRegistryOptions(
    registryCommand.command("list").description("models in the registry, or the tags of one model"),
  )
    .argument("[name]", "model name")
    .action(async (name: string | undefined, options: CommonOptions, command: Command) => {
      const { registry } = open(command, options);
      const names = name === undefined ? await registry.listModels() : [name];
      const models = [];
      for (const model of names) {
        const tags = [];
        for (const tag of await registry.listTags(model)) {
          tags.push({ tag, digest: (await registry.resolve({ name: model, tag })).digest });
        }
        models.push({ name: model, tags });
      }
      const rows = models.flatMap((m) => m.tags.map((t) => [m.name, t.tag, t.digest]));
      print(
        options,
        { registry: registry.location, models },
        rows.length
          ? renderTable(["MODEL", "TAG", "DIGEST"], rows)
          : name === undefined
            ? `no models in ${registry.location} (some remote registries do not list repositories: name one, registry list <name>)`
            : `no tags for ${name} in ${registry.location}`,
      );
    });
}

function registerInspect(registryCommand: Command): void {
  withRegistryOptions(registryCommand.command("inspect").description("manifest and model card of a model"))
    .argument("<ref>", "name:tag or name@sha256:…")
    .action(async (text: string, options: CommonOptions, command: Command) => {
      const { registry } = open(command, options);
      const ref = parseModelReference(text);
      const pulled = await registry.pull(ref);
      const manifest = describeManifest(pulled);
      const human = [
        `${formatModelReference({ ...ref, digest: pulled.digest })}`,
        `artifact: ${manifest.artifact_type ?? "(none)"}`,
        renderTable(
          ["LAYER", "MEDIA TYPE", "SIZE", "DIGEST"],
          manifest.layers.map((l) => [l.filepath ?? "-", l.media_type, String(l.size), l.digest]),
        ),
        `created ${pulled.card.created_at} from commit ${pulled.card.git_commit}`,
        `metrics: ${Object.entries(pulled.card.metrics)
          .map(([k, v]) => `${k}=${v}`)
          .join(" ")}`,
      ].join("\n");
      print(options, { ref: formatModelReference(ref), ...manifest, card: pulled.card }, human);
    });
}

function registerPull(registryCommand: Command): void {
  withRegistryOptions(
    registryCommand
      .command("pull")
      .description("download model.onnx and model-card.json, verifying every digest"),
  )
    .argument("<ref>", "name:tag or name@sha256:…")
    .requiredOption("--out <dir>", "folder to write model.onnx and model-card.json into")
    .action(async (text: string, options: CommonOptions & { out: string }, command: Command) => {
      const { registry, root } = open(command, options);
      const ref = parseModelReference(text);
      const pulled = await registry.pull(ref);
      const folder = await writeModelFolder(pulled, resolve(root, options.out));
      print(
        options,
        {
          ref: formatModelReference(ref),
          digest: pulled.digest,
          out: folder.dir,
          model: folder.model,
          card: folder.card,
        },
        `pulled ${formatModelReference({ ...ref, digest: pulled.digest })} into ${folder.dir}`,
      );
    });
}

/** Reads the card file a push names: JSON, or a UsageError naming the file. */
async function readCardFile(cardPath: string): Promise<unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(await readInputFile(cardPath)));
  } catch (error) {
    if (error instanceof RegistryError) throw error;
    throw new UsageError(
      `${cardPath}: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

type PushOptions = CommonOptions & { model: string; card: string; name?: string; commit?: string };

async function runPush(options: PushOptions, command: Command): Promise<void> {
  const { registry, root } = open(command, options);
  const cardPath = resolve(root, options.card);
  const card = await readCardFile(cardPath);
  const cardName =
    typeof card === "object" && card !== null && "name" in card && typeof card.name === "string"
      ? card.name
      : undefined;
  const name = options.name ?? cardName;
  if (name === undefined) throw new UsageError(`${cardPath} has no name; pass --name`);
  const result = await registry.push({
    name,
    onnx: await readInputFile(resolve(root, options.model)),
    card: card as PushInput["card"],
    ...(options.commit === undefined ? {} : { commitTag: options.commit }),
  });
  print(
    options,
    {
      ref: result.ref,
      pinned_ref: result.pinnedRef,
      digest: result.digest,
      version: result.version,
      tags: result.tags,
      size: result.size,
    },
    `pushed ${result.pinnedRef} (tags ${result.tags.join(", ")}) to ${registry.location}`,
  );
}

function registerPush(registryCommand: Command): void {
  withRegistryOptions(
    registryCommand.command("push").description("store an ONNX model and its card as the next version"),
  )
    .requiredOption("--model <file>", "the ONNX file")
    .requiredOption("--card <file>", "the model card JSON (name and version are set by the push)")
    .option("--name <name>", "model name (default: the card's name)")
    .option("--commit <sha>", "git short commit to tag (default: the card's git_commit, 7 digits)")
    .action(runPush);
}

function registerTag(registryCommand: Command): void {
  withRegistryOptions(registryCommand.command("tag").description("add a tag to a model"))
    .argument("<ref>", "name:tag or name@sha256:…")
    .argument("<tag>", "the new tag")
    .option("--force", "move the tag if it exists (v<N> tags are reserved for pushes)")
    .action(
      async (text: string, tag: string, options: CommonOptions & { force?: boolean }, command: Command) => {
        const { registry } = open(command, options);
        const ref = parseModelReference(text);
        const tagged = await registry.tag(ref, tag, { force: options.force === true });
        print(
          options,
          { ref: `${ref.name}:${tag}`, digest: tagged.digest },
          `tagged ${ref.name}@${tagged.digest} as ${ref.name}:${tag}`,
        );
      },
    );
}

function registerDelete(registryCommand: Command): void {
  withRegistryOptions(
    registryCommand
      .command("delete")
      .description("delete a model version and its tags (not one an environment uses)"),
  )
    .argument("<ref>", "name:tag or name@sha256:…")
    .option("--environments <dir>", "environment files whose digests are protected", "environments")
    .action(async (text: string, options: CommonOptions & { environments: string }, command: Command) => {
      const { registry, root } = open(command, options);
      const ref = parseModelReference(text);
      const protectedDigests = await loadProtected(registry, root, options.environments);
      const deleted = await registry.delete(ref, { protectedDigests });
      print(
        options,
        { ref: formatModelReference(ref), digest: deleted.digest, tags: deleted.tags },
        `deleted ${ref.name}@${deleted.digest} (tags ${deleted.tags.join(", ") || "none"})`,
      );
    });
}

/** `--keep` as a whole number ≥ 1, or undefined when absent. */
function parseKeep(keep: string | undefined): number | undefined {
  if (keep === undefined) return undefined;
  const keepVersions = Number(keep);
  if (!Number.isInteger(keepVersions) || keepVersions < 1) {
    throw new UsageError(`--keep must be a whole number ≥ 1, got ${JSON.stringify(keep)}`);
  }
  return keepVersions;
}

function renderGcReport(report: GcReport, location: RegistryLocation): string {
  return [
    ...report.deletedManifests.map((m) => `deleted ${m.name}@${m.digest} (${m.tags.join(", ")})`),
    ...report.keptProtected.map(
      (m) => `kept ${m.name}@${m.digest} (${m.tags.join(", ")}): an environment uses it`,
    ),
    `${report.removedBlobs.length} blob(s) removed` +
      (location.kind === "local"
        ? ` (blobs younger than ${DEFAULT_GC_GRACE_MS / 60_000} minutes stay: a push may still be using them)`
        : " (the registry reclaims blobs with its own garbage collection)"),
  ].join("\n");
}

type GcCommandOptions = CommonOptions & { keep?: string; environments: string };

async function runGc(names: string[], options: GcCommandOptions, command: Command): Promise<void> {
  const { registry, root, location } = open(command, options);
  const keepVersions = parseKeep(options.keep);
  const protectedDigests = await loadProtected(registry, root, options.environments);
  const report = await registry.gc({
    protectedDigests,
    ...(names.length ? { names } : {}),
    ...(keepVersions === undefined ? {} : { keepVersions }),
  });
  print(
    options,
    {
      registry: registry.location,
      protected_digests: [...protectedDigests].sort(),
      deleted_manifests: report.deletedManifests,
      kept_protected: report.keptProtected,
      removed_blobs: report.removedBlobs,
    },
    renderGcReport(report, location),
  );
}

function registerGc(registryCommand: Command): void {
  withRegistryOptions(
    registryCommand
      .command("gc")
      .description(
        "delete old versions and unreachable blobs; never a digest environments/*.yaml references",
      ),
  )
    .argument("[names...]", "models to collect (default: all)")
    .option("--keep <n>", "keep the newest n versions of each model (default: keep all versions)")
    .option("--environments <dir>", "environment files whose digests are protected", "environments")
    .action(runGc);
}

/** Registers `registry` and its subcommands. */
export function registerRegistryCommand(program: Command): void {
  const registryCommand = program
    .command("registry")
    .description("list, inspect, pull, push, tag and gc models");
  registerList(registryCommand);
  registerInspect(registryCommand);
  registerPull(registryCommand);
  registerPush(registryCommand);
  registerTag(registryCommand);
  registerDelete(registryCommand);
  registerGc(registryCommand);
}
