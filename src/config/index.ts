/** File formats users write, and their loader. */
export { BotConfig } from "./bot-config.js";
export { EnvironmentSpec, PERMISSION_LEVELS, PermissionLevel, STRATEGY_TYPES } from "./environment.js";
export { PipelineSpec, MODEL_TYPES, MODEL_PARAMS, METRIC_NAMES, LOWER_IS_BETTER } from "./pipeline.js";
export { parseDurationMs } from "./duration.js";
export { loadConfigFile, parseConfigText, readAndParseConfig, type ParsedConfig } from "./load-yaml.js";
