/**
 * Garbage collection of a local layout: blobs that no tagged or protected
 * manifest names, and temp files of crashed writers, once older than the
 * grace period (a push writes its blobs before it tags them).
 */
import { join } from "node:path";
import { describeFileError, errorCode } from "./fs-port.js";
import { parseImageManifest } from "./manifest.js";
import {
  blobsDir,
  type LayoutRoot,
  readBlob,
  readIndex,
  readManifest,
  withIndexLock,
} from "./oci-layout-files.js";

/** Adds a manifest and every blob it names to `reachable`. */
function addManifestBlobs(reachable: Set<string>, bytes: Uint8Array, digest: string, where: string): void {
  reachable.add(digest);
  const manifest = parseImageManifest(bytes, where);
  reachable.add(manifest.config.digest);
  for (const layer of manifest.layers) reachable.add(layer.digest);
}

/** Digests of every manifest the index or `protectedDigests` names, and of their blobs. */
async function findReachable(
  layout: LayoutRoot,
  repo: string,
  protectedDigests: ReadonlySet<string>,
): Promise<Set<string>> {
  const reachable = new Set<string>();
  for (const entry of (await readIndex(layout, repo)).manifests) {
    addManifestBlobs(
      reachable,
      await readBlob(layout, repo, entry.digest),
      entry.digest,
      `${repo}@${entry.digest}`,
    );
  }
  // A protected manifest that lost its tags still keeps its blobs.
  for (const digest of protectedDigests) {
    const bytes = await readManifest(layout, repo, digest);
    if (bytes !== undefined) addManifestBlobs(reachable, bytes, digest, `${repo}@${digest}`);
  }
  return reachable;
}

/** Removes old unreachable blobs and temp files; returns the digests removed. */
async function removeUnreachable(
  layout: LayoutRoot,
  repo: string,
  reachable: ReadonlySet<string>,
): Promise<string[]> {
  const dir = blobsDir(layout, repo);
  let names: string[];
  try {
    names = await layout.fileSystem.readdir(dir);
  } catch (error) {
    if (errorCode(error) === "ENOENT") return [];
    throw describeFileError(error, "list", dir);
  }
  const removed: string[] = [];
  for (const name of names.sort()) {
    const path = join(dir, name);
    const info = await layout.fileSystem.stat(path);
    if (info === undefined || layout.now() - info.mtimeMs < layout.gcGraceMs) continue;
    // Temp files of a crashed writer are garbage too, once old enough.
    if (!name.startsWith(".tmp-") && reachable.has(`sha256:${name}`)) continue;
    await layout.fileSystem.remove(path);
    if (!name.startsWith(".tmp-")) removed.push(`sha256:${name}`);
  }
  return removed;
}

/** Collects one layout under its index lock, so no tag appears while blobs are judged. */
export function collectLayoutGarbage(
  layout: LayoutRoot,
  repo: string,
  protectedDigests: ReadonlySet<string>,
): Promise<string[]> {
  return withIndexLock(layout, repo, async () =>
    removeUnreachable(layout, repo, await findReachable(layout, repo, protectedDigests)),
  );
}
