/** Process entry of the bot: settings from the environment, then serve until stopped. */
import { runBotProcess } from "./run-process.js";

await runBotProcess(process.env);
