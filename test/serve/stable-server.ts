/**
 * An in-process server of one fixture model ("churn", stable only) in a
 * temp folder, for tests that only need something to send requests to.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createSilentLogger } from "../../src/common/logger.js";
import { startModelServer, type RunningServer } from "../../src/serve/start-server.js";
import { environmentYaml, pushTestModel } from "./model-fixture.js";

/** A running server and how to stop it and remove its folder. */
export interface StableServer {
  readonly server: RunningServer;
  close(): Promise<void>;
}

/** Pushes the fixture model (seed 7) and serves it as `stable` on 127.0.0.1, port 0. */
export async function startStableServer(prefix: string): Promise<StableServer> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const pushed = await pushTestModel(join(dir, "registry"), "churn", { seed: 7 });
  const file = join(dir, "staging.yaml");
  await writeFile(
    file,
    environmentYaml({ model: "churn", registry: join(dir, "registry"), stable: pushed.pinnedRef }),
  );
  const server = await startModelServer({
    envFile: file,
    root: dir,
    port: 0,
    host: "127.0.0.1",
    logger: createSilentLogger(),
  });
  return {
    server,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
