/**
 * Open Inference Protocol v2 as its clients use it, against the server as a
 * real process. The requests are written from the published protocol and
 * the shapes Triton's and KServe's clients send (not from our parser): one
 * `[N, F]` FP32 or FP64 tensor, flat (tritonclient's `set_data_from_numpy`)
 * or one list per row (KServe's `InferInput` from a NumPy array), in JSON
 * and in binary; version-specific inference and readiness; non-finite
 * numbers refused.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PushResult } from "../../src/registry/model-registry.js";
import { V2_ROUTES } from "../../src/serve/routes/v2.js";
import { startServerProcess, type ServerProcess } from "../helpers/processes.js";
import { environmentYaml, pushTestModel } from "./model-fixture.js";

let dir: string;
let stable: PushResult;
let candidate: PushResult;
let numeric: ServerProcess;
let mixed: ServerProcess;

const ROWS = [
  [0.5, -1.2, 0.3, 2.0],
  [-0.7, 0.1, -0.4, 0.0],
  [1.5, 0.9, 0.2, -1.0],
];

interface V2Answer {
  status: number;
  json: {
    error?: string;
    model_version?: string;
    id?: string;
    outputs?: { name: string; shape: number[]; data: number[] }[];
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<V2Answer> {
  const response = await fetch(url, {
    method: "POST",
    body: typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body),
    headers,
  });
  return { status: response.status, json: (await response.json()) as V2Answer["json"] };
}

/** The same rows as one tensor per feature: the form the server always took. */
function perFeature(rows: number[][]) {
  return {
    inputs: [0, 1, 2, 3].map((j) => ({
      name: `x${j}`,
      shape: [rows.length, 1],
      datatype: "FP32",
      data: rows.map((r) => r[j]),
    })),
  };
}

function probabilities(answer: V2Answer): number[] {
  return answer.json.outputs!.find((o) => o.name === "probabilities")!.data;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "mc-oip-"));
  const registry = join(dir, "registry");
  stable = await pushTestModel(registry, "churn", { seed: 7, categorical: false });
  candidate = await pushTestModel(registry, "churn", { seed: 8, categorical: false, trees: 7 });
  const mixedModel = await pushTestModel(registry, "plans", { seed: 9 });
  const numericFile = join(dir, "numeric.yaml");
  await writeFile(
    numericFile,
    environmentYaml({
      model: "churn",
      registry,
      stable: stable.pinnedRef,
      candidate: candidate.pinnedRef,
      checks: "{ min_requests: 100000 }",
    }),
  );
  const mixedFile = join(dir, "mixed.yaml");
  await writeFile(mixedFile, environmentYaml({ model: "plans", registry, stable: mixedModel.pinnedRef }));
  numeric = await startServerProcess(["--env", numericFile, "--root", dir, "--state-dir", join(dir, "s1")]);
  mixed = await startServerProcess(["--env", mixedFile, "--root", dir, "--state-dir", join(dir, "s2")]);
}, 120_000);

afterAll(async () => {
  await numeric?.stop();
  await mixed?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("one [N, F] tensor", () => {
  it("scores tritonclient's flat FP32 matrix and KServe's nested FP64 rows as the per-feature tensors", async () => {
    const url = `${numeric.url}/v2/models/churn/versions/stable/infer`;
    const reference = await post(url, perFeature(ROWS));
    const triton = await post(url, {
      inputs: [{ name: "INPUT0", shape: [3, 4], datatype: "FP32", data: ROWS.flat() }],
      outputs: [{ name: "probabilities", parameters: { binary_data: false } }],
    });
    const kserve = await post(url, {
      id: "kserve-1",
      inputs: [{ name: "input-0", shape: [3, 4], datatype: "FP64", data: ROWS }],
    });

    expect([reference.status, triton.status, kserve.status]).toEqual([200, 200, 200]);
    expect(probabilities(triton)).toEqual(probabilities(reference));
    expect(probabilities(kserve)).toEqual(probabilities(reference));
    expect(kserve.json.id).toBe("kserve-1");
    expect(triton.json.outputs!.map((o) => o.name)).toEqual(["probabilities"]);
  });

  it("reads the matrix from the binary tensor extension, row-major little-endian", async () => {
    const url = `${numeric.url}/v2/models/churn/versions/stable/infer`;
    const reference = await post(url, perFeature(ROWS));
    const header = JSON.stringify({
      inputs: [{ name: "INPUT0", shape: [3, 4], datatype: "FP32", parameters: { binary_data_size: 48 } }],
    });
    const tensor = Buffer.alloc(48);
    ROWS.flat().forEach((v, i) => tensor.writeFloatLE(v, i * 4));
    const body = Buffer.concat([Buffer.from(header), tensor]);
    const binary = await post(url, new Uint8Array(body), {
      "inference-header-content-length": String(Buffer.byteLength(header)),
      "content-type": "application/octet-stream",
    });

    expect(binary.status).toBe(200);
    expect(probabilities(binary)).toEqual(probabilities(reference));
  });

  it("refuses a matrix of the wrong width naming the features in order, and one for a model with categories", async () => {
    const wide = await post(`${numeric.url}/v2/models/churn/infer`, {
      inputs: [{ name: "INPUT0", shape: [1, 5], datatype: "FP32", data: [1, 2, 3, 4, 5] }],
    });
    const categories = await post(`${mixed.url}/v2/models/plans/infer`, {
      inputs: [{ name: "INPUT0", shape: [1, 5], datatype: "FP32", data: [1, 2, 3, 4, 5] }],
    });

    expect(wide.status).toBe(400);
    expect(wide.json.error).toContain("the model takes [N, 4]: x0, x1, x2, x3, in this order");
    expect(categories.status).toBe(400);
    expect(categories.json.error).toContain("takes categorical features (plan): send one tensor per feature");
  });
});

describe("versions", () => {
  it("calls the stable and the candidate directly, by role and by card version", async () => {
    const meta = (await (await fetch(`${numeric.url}/v2/models/churn`)).json()) as {
      versions: string[];
      parameters: { roles: { stable: string; candidate: string } };
    };
    const { roles } = meta.parameters;
    const call = (version: string) =>
      post(`${numeric.url}/v2/models/churn/versions/${version}/infer`, perFeature(ROWS));

    const answers = await Promise.all([
      call("stable"),
      call("candidate"),
      call(roles.stable),
      call(roles.candidate),
      call("v99"),
    ]);

    expect(meta.versions).toEqual([roles.stable, roles.candidate]);
    expect(roles.stable).not.toBe(roles.candidate);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 404]);
    expect(answers.slice(0, 4).map((a) => a.json.model_version)).toEqual([
      roles.stable,
      roles.candidate,
      roles.stable,
      roles.candidate,
    ]);
    expect(answers[4].json.error).toContain(
      `loaded: ${roles.stable} (stable), ${roles.candidate} (candidate)`,
    );
  });

  it("answers model and version readiness with the server's status codes and metadata per version", async () => {
    const ready = await fetch(`${numeric.url}/v2/models/churn/ready`);
    const candidateReady = await fetch(`${numeric.url}/v2/models/churn/versions/candidate/ready`);
    const unknown = await fetch(`${numeric.url}/v2/models/churn/versions/v99/ready`);
    const candidateMeta = (await (
      await fetch(`${numeric.url}/v2/models/churn/versions/candidate`)
    ).json()) as {
      version: string;
      parameters: { digest: string };
    };

    expect([ready.status, candidateReady.status, unknown.status]).toEqual([200, 200, 404]);
    expect(await ready.json()).toMatchObject({ name: "churn", ready: true });
    expect(candidateMeta.parameters.digest).toBe(candidate.digest);
  });

  it("answers model ready 503 while the server is not ready, as server ready does", async () => {
    // The route itself, with a server that is starting or draining (not ready).
    const route = V2_ROUTES.find((r) => String(r.path).includes("ready$"))!;
    const match = (route.path as RegExp).exec("/v2/models/churn/ready");
    let status = 0;
    let text = "";
    const res = {
      writeHead: (code: number) => {
        status = code;
        return res;
      },
      setHeader: () => res,
      end: (chunk?: string) => {
        text = chunk ?? "";
        return res;
      },
    };
    const served = {
      slot: { version: "v1", card: { features: [], task: "regression", metrics: {} }, digest: "d" },
    };
    const context = {
      isReady: () => false,
      controller: { current: () => ({ env: { model: "churn" }, stable: served, candidate: null }) },
    };
    await route.handle(context as never, {} as never, res as never, "req-1", match);

    expect(status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ name: "churn", ready: false });
  });
});

describe("non-finite numbers", () => {
  it("refuses infinities and values beyond float32 with 400 naming the field", async () => {
    const url = `${numeric.url}/v2/models/churn/versions/stable/infer`;
    const beyond = await post(url, {
      inputs: [{ name: "INPUT0", shape: [1, 4], datatype: "FP64", data: [0, 1e39, 0, 0] }],
    });
    // JSON's 1e400 parses to Infinity.
    const infinite = await post(
      url,
      '{"inputs":[{"name":"x0","shape":[1],"datatype":"FP32","data":[1e400]},{"name":"x1","shape":[1],"datatype":"FP32","data":[0]},{"name":"x2","shape":[1],"datatype":"FP32","data":[0]},{"name":"x3","shape":[1],"datatype":"FP32","data":[0]}]}',
    );
    const v1 = await post(`${numeric.url}/v1/models/churn:predict`, '{"instances":[[0, 0, -1e400, 0]]}');
    const missing = await post(url, {
      inputs: [{ name: "INPUT0", shape: [1, 4], datatype: "FP32", data: [0, null, 0, 0] }],
    });

    expect(beyond.status).toBe(400);
    expect(beyond.json.error).toContain(
      'inputs["INPUT0"].data[0][1] (x1): 1e+39 is not a finite float32 number',
    );
    expect(infinite.status).toBe(400);
    expect(infinite.json.error).toContain('inputs["x0"].data[0]: Infinity is not a finite float32 number');
    expect(v1.status).toBe(400);
    expect(v1.json.error).toContain("instances[0].x2: -Infinity is not a finite float32 number");
    expect(missing.status).toBe(200);
  });
});
