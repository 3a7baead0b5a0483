/**
 * Reading shard files from disk and merging them: the one I/O step of
 * tuning, kept apart so everything else stays pure.
 */
import { readFile } from "node:fs/promises";
import { DataError } from "../common/errors.js";
import { mergeTrialsFiles, parseTrialsFile, type MergedTrials } from "./trials-file.js";

/**
 * Reads the shard trials files at `paths` and merges them (see
 * {@link mergeTrialsFiles}). An unreadable file is a DataError naming it.
 */
export async function mergeTrials(
  paths: readonly string[],
  options: { allowMissingShards?: boolean; read?: (path: string) => Promise<string> } = {},
): Promise<MergedTrials> {
  const read = options.read ?? ((path: string) => readFile(path, "utf8"));
  const files = await Promise.all(
    paths.map(async (path) => {
      let text: string;
      try {
        text = await read(path);
      } catch (error) {
        throw new DataError(`${path}: cannot read the trials file (${(error as Error).message})`, {
          cause: error,
        });
      }
      return parseTrialsFile(text, path);
    }),
  );
  return mergeTrialsFiles(
    files,
    options.allowMissingShards === undefined ? {} : { allowMissingShards: options.allowMissingShards },
  );
}
