import { describe, expect, it } from "vitest";
import { EnvironmentSpec } from "../../src/config/environment.js";
import { buildResourceName, renderKserve } from "../../src/deploy/render-kserve.js";

const DIGEST_A = `sha256:${"a".repeat(64)}`;
const DIGEST_B = `sha256:${"b".repeat(64)}`;

function env(fields: Record<string, unknown>): EnvironmentSpec {
  return EnvironmentSpec.parse({
    name: "production",
    model: "customer_churn_prediction",
    registry: "oci://ghcr.io/acme/models",
    stable: `customer_churn_prediction:v3@${DIGEST_A}`,
    ...fields,
  });
}

describe("renderKserve", () => {
  it("serves stable alone without canaryTrafficPercent", () => {
    expect(renderKserve(env({}), { namespace: "ml" })).toMatchSnapshot();
  });

  it("puts a canary candidate on the newest revision at the first step", () => {
    expect(
      renderKserve(
        env({
          candidate: `customer_churn_prediction:v4@${DIGEST_B}`,
          strategy: { type: "canary", steps: [5, 50, 100] },
        }),
      ),
    ).toMatchSnapshot();
  });

  it.each([
    ["blue-green", { type: "blue-green" }, undefined, "canaryTrafficPercent: 0"],
    ["canary following the rollout", { type: "canary" }, 50, "canaryTrafficPercent: 50"],
    ["simple", { type: "simple" }, undefined, null],
    ["completed canary", { type: "canary" }, 100, null],
  ] as const)("%s", (_name, strategy, weight, expected) => {
    const yaml = renderKserve(env({ candidate: `customer_churn_prediction@${DIGEST_B}`, strategy }), {
      ...(weight === undefined ? {} : { candidateWeight: weight }),
    });
    expect(yaml).toContain(`storageUri: oci://ghcr.io/acme/models/customer_churn_prediction@${DIGEST_B}`);
    if (expected === null) expect(yaml).not.toContain("canaryTrafficPercent");
    else expect(yaml).toContain(expected);
  });

  it.each([
    [
      "a local registry",
      env({ registry: ".meta-controller/registry" }),
      {},
      "KServe pulls models from an OCI registry",
    ],
    ["nothing to serve", env({ stable: null }), {}, "neither stable nor candidate"],
    ["a weight over 100", env({}), { candidateWeight: 150 }, "between 0 and 100"],
  ] as const)("refuses %s", (_name, spec, options, message) => {
    expect(() => renderKserve(spec, options)).toThrow(message);
  });

  it.each([
    ["customer_churn_prediction", "production", "customer-churn-prediction-production"],
    ["team/fraud.model", "staging", "fraud-model-staging"],
    ["x".repeat(80), "prod", "x".repeat(63)],
  ])("names %s in %s %s", (model, environment, name) => {
    expect(buildResourceName(model, environment)).toBe(name);
  });
});
