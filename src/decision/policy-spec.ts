/**
 * The `policy` section of environments/*.yaml. Its schema lives with the
 * other file formats in `config/`; the engine reads it from here.
 */
export * from "../config/policy.js";
