/**
 * The error a tuning setup raises when it cannot run: an empty grid, an
 * unknown sampler, a distribution with `low > high`, a bad shard spec, a
 * trials file from another study. It carries the dotted field it is about
 * (`hyperparameter_tuning.param_grid.max_depth`) so the pipeline loader can
 * point at the line in the user's YAML.
 */
import { MetaControllerError, type ProjectErrorOptions } from "../common/errors.js";

/** A tuning study cannot be built or merged as asked. */
export class TuningError extends MetaControllerError {
  /** Dotted path of the setting at fault, relative to the tuning section; empty when none applies. */
  readonly field: string;
  constructor(message: string, field = "", options: ProjectErrorOptions = {}) {
    super(message, options);
    this.field = field;
  }
}
