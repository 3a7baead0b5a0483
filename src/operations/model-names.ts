/**
 * Which model a reference names, and whether that is an environment's
 * model: the whole name must match (`evilchurn` and `team/churn` are not
 * `churn`), never a suffix.
 */
/** The name part of `name[:tag][@digest]`. */
export function modelNameOfRef(ref: string): string {
  return ref.split("@")[0]!.split(":")[0]!;
}

/** Whether `ref` is a version of `model`. */
export function refNamesModel(ref: string, model: string): boolean {
  return modelNameOfRef(ref) === model;
}
