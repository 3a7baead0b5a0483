/**
 * Writes a pulled model to a folder as `model.onnx` and `model-card.json`.
 * A new folder is filled under a temp name and renamed into place; into an
 * existing folder each file is written to a temp file and renamed. Either
 * way a failure (disk full, say) leaves no partial file behind.
 */
import { basename, dirname, join } from "node:path";
import {
  describeFileError,
  type FileSystem,
  nodeFileSystem,
  temporaryPathFor,
  writeFileAtomic,
} from "./fs-port.js";
import { MODEL_CARD_FILE_NAME, MODEL_FILE_NAME } from "./media-types.js";
import type { PulledModel } from "./model-registry.js";

/** Paths written by {@link writeModelFolder}. */
export interface ModelFolder {
  readonly dir: string;
  readonly model: string;
  readonly card: string;
}

/** Writes `model.onnx` and `model-card.json` of a pulled model into `dir`. */
export async function writeModelFolder(
  pulled: Pick<PulledModel, "onnx" | "cardBytes">,
  dir: string,
  fileSystem: FileSystem = nodeFileSystem,
): Promise<ModelFolder> {
  const result = { dir, model: join(dir, MODEL_FILE_NAME), card: join(dir, MODEL_CARD_FILE_NAME) };
  const existing = await fileSystem.stat(dir);
  if (existing !== undefined) {
    if (!existing.isDirectory)
      throw describeFileError(new Error("it exists and is not a folder"), "write to", dir);
    await writeFileAtomic(fileSystem, result.model, pulled.onnx);
    await writeFileAtomic(fileSystem, result.card, pulled.cardBytes);
    return result;
  }
  try {
    await fileSystem.mkdir(dirname(dir));
  } catch (error) {
    throw describeFileError(error, "create", dirname(dir));
  }
  const staging = temporaryPathFor(join(dirname(dir), basename(dir)));
  try {
    await fileSystem.mkdir(staging);
    await fileSystem.writeFile(join(staging, MODEL_FILE_NAME), pulled.onnx);
    await fileSystem.writeFile(join(staging, MODEL_CARD_FILE_NAME), pulled.cardBytes);
    await fileSystem.rename(staging, dir);
  } catch (error) {
    await fileSystem.remove(staging).catch(() => undefined);
    throw describeFileError(error, "write", dir);
  }
  return result;
}
