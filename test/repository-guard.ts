/**
 * vitest global setup: fails the run when any test wrote inside the
 * repository. Tests write only into temporary folders; a test that trains
 * into the checkout's `.meta-controller/registry` would move the user's own
 * tags.
 */
import { fileURLToPath } from "node:url";
import { createRepositoryGuard } from "./helpers/repository-snapshot.js";

const guard = createRepositoryGuard(fileURLToPath(new URL("..", import.meta.url)));

/** Records the checkout before the first test file runs. */
export const setup = guard.setup;

/** Throws, naming every path, when the checkout differs from what `setup` recorded. */
export const teardown = guard.teardown;
