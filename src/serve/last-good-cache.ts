/**
 * The last stable model this server loaded and served, kept in its state
 * folder (`last-good/`): the manifest, weights and card as pulled, each a
 * file named by its digest, and `entry.json` naming them. The entry is
 * written last, atomically, so a crash mid-save leaves the previous model
 * cached. Reading it back verifies every digest as a registry pull does: a
 * damaged cache is refused, never served.
 */
import { join } from "node:path";
import { z } from "zod";
import { RegistryError } from "../common/errors.js";
import { verifyDigest } from "../registry/digest.js";
import { findModelLayers, parseImageManifest } from "../registry/manifest.js";
import { decodeModelCard } from "../registry/model-card-schema.js";
import type { PulledModel } from "../registry/model-registry.js";
import {
  listFiles,
  readBytesIfExists,
  readFileIfExists,
  removeFileDurably,
  writeFileDurably,
} from "./durable-file.js";

/** A cached model and the pinned reference it is served under. */
export interface CachedModel {
  /** `name@sha256:…`. */
  readonly ref: string;
  readonly pulled: PulledModel;
}

/** The last-good cache of one server. */
export interface LastGoodCache {
  readonly dir: string;
  /** The digest cached now, without reading the blobs; undefined when empty. */
  digest(): string | undefined;
  /** Stores `pulled` as the last-good model (replacing the one before). */
  save(pulled: PulledModel): void;
  /** The cached model, every digest verified; undefined when empty; a RegistryError when damaged. */
  load(): CachedModel | undefined;
}

const Entry = z.object({
  version: z.literal(1),
  name: z.string().min(1),
  digest: z.string().regex(/^sha256:[a-f0-9]{64}$/),
  saved_at: z.string(),
});

const ENTRY_FILE = "entry.json";

function blobFile(digest: string): string {
  return `${digest.slice("sha256:".length)}.blob`;
}

function readEntry(dir: string): z.infer<typeof Entry> | undefined {
  const text = readFileIfExists(join(dir, ENTRY_FILE));
  if (text === undefined) return undefined;
  const parsed = Entry.safeParse(JSON.parse(text));
  if (!parsed.success) throw new RegistryError(`${join(dir, ENTRY_FILE)}: not a last-good entry`);
  return parsed.data;
}

function readBlob(dir: string, digest: string, what: string, size?: number): Uint8Array {
  const path = join(dir, blobFile(digest));
  const bytes = readBytesIfExists(path);
  if (bytes === undefined) throw new RegistryError(`${path}: the cached ${what} is missing`);
  verifyDigest(bytes, digest, `cached ${what} in ${dir}`, size);
  return bytes;
}

/** Opens (without reading) the last-good cache under `stateDir`. */
export function openLastGoodCache(stateDir: string): LastGoodCache {
  const dir = join(stateDir, "last-good");
  let known: string | undefined | null = null;
  return {
    dir,
    digest() {
      if (known === null) {
        try {
          known = readEntry(dir)?.digest;
        } catch {
          known = undefined;
        }
      }
      return known;
    },
    save(pulled) {
      const { weights, card } = findModelLayers(pulled.manifest, pulled.digest);
      const keep = new Set([pulled.digest, weights.digest, card.digest].map(blobFile));
      writeFileDurably(join(dir, blobFile(pulled.digest)), pulled.manifestBytes);
      writeFileDurably(join(dir, blobFile(weights.digest)), pulled.onnx);
      writeFileDurably(join(dir, blobFile(card.digest)), pulled.cardBytes);
      const entry = {
        version: 1,
        name: pulled.name,
        digest: pulled.digest,
        saved_at: new Date().toISOString(),
      };
      writeFileDurably(join(dir, ENTRY_FILE), `${JSON.stringify(entry)}\n`);
      known = pulled.digest;
      for (const name of listFiles(dir)) {
        if (name !== ENTRY_FILE && !keep.has(name)) removeFileDurably(join(dir, name));
      }
    },
    load() {
      const entry = readEntry(dir);
      if (entry === undefined) return undefined;
      const ref = `${entry.name}@${entry.digest}`;
      const manifestBytes = readBlob(dir, entry.digest, "manifest");
      const manifest = parseImageManifest(manifestBytes, `cached ${ref}`);
      const layers = findModelLayers(manifest, `cached ${ref}`);
      const onnx = readBlob(dir, layers.weights.digest, "model.onnx", layers.weights.size);
      const cardBytes = readBlob(dir, layers.card.digest, "model-card.json", layers.card.size);
      const pulled: PulledModel = {
        name: entry.name,
        digest: entry.digest,
        manifest,
        manifestBytes,
        onnx,
        cardBytes,
        card: decodeModelCard(cardBytes, `cached model-card.json of ${ref}`),
      };
      return { ref, pulled };
    },
  };
}
