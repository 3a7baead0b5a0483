/** Process entry of the bot: settings from the environment, then serve until stopped. */
import { runBotProcess } from "./start.js";

await runBotProcess(process.env);
