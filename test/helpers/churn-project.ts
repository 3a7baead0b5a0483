/**
 * A throwaway project in a temporary folder: the seed's customer data and
 * one small decision-tree pipeline on its numeric columns, for tests that
 * run the CLI's `train` and look at what it prints or writes.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Creates the project and returns its root; the pipeline is
 * `pipelines/<name>.yaml`, `extraYaml` lines are appended to it (a tuning
 * section). The caller removes the folder.
 */
export function createChurnProject(name: string, extraYaml: readonly string[] = []): string {
  const root = mkdtempSync(join(tmpdir(), `mc-${name}-`));
  mkdirSync(join(root, "pipelines"));
  cpSync(join(REPO, "data/customer_data.csv"), join(root, "data/customer_data.csv"));
  writeFileSync(
    join(root, `pipelines/${name}.yaml`),
    [
      `name: ${name}`,
      "data_processing:",
      "  data_source: { type: csv, path: data/customer_data.csv }",
      "  feature_engineering:",
      "    numeric_features: [age, tenure, monthly_charges]",
      "model_training:",
      "  model_type: decision_tree",
      "  target_column: churn",
      ...extraYaml,
      "",
    ].join("\n"),
  );
  return root;
}
