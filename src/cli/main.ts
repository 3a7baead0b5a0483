/** Entry point of the `meta-controller` binary. */
import { runCli } from "./program.js";

await runCli(process.argv);
