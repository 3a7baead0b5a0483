/**
 * One loaded model: pulled and digest-verified from the registry, its card,
 * an onnxruntime session checked against the card's features and warmed up.
 * Requests hold a slot while they run; a retired slot releases its native
 * session only when the last of them finishes, so a swap never frees a
 * session under a running request. Small concurrent requests share model
 * runs (see micro-batch.ts).
 */
import { OnnxError } from "../common/errors.js";
import type { ModelCard } from "../registry/model-card-schema.js";
import type { ModelRegistry, PulledModel } from "../registry/model-registry.js";
import { parseModelReference } from "../registry/reference.js";
import {
  checkOnnxInputs,
  createOnnxSession,
  findOnnxOutputRoles,
  predictOnnx,
  type OnnxClassification,
  type OnnxColumns,
  type OnnxRegression,
  type OnnxSession,
} from "../onnx/index.js";
import { createMicroBatcher } from "./micro-batch.js";

/** A model ready to serve. */
export interface ModelSlot {
  readonly ref: string;
  readonly name: string;
  readonly digest: string;
  readonly version: string;
  readonly card: ModelCard;
  predict(columns: OnnxColumns): Promise<OnnxClassification | OnnxRegression>;
  /** Marks the slot unused; its session is released once no request holds it. */
  retire(): void;
  /** Counts a request in; returns the function that counts it out. */
  hold(): () => void;
}

/** Pulls `ref`, opens and warms its session, and checks it against its card. */
export async function loadModelSlot(registry: ModelRegistry, ref: string): Promise<ModelSlot> {
  return openModelSlot(await registry.pull(parseModelReference(ref)), ref);
}

/** Opens and warms a session for a model already pulled (from the registry or the last-good cache). */
export async function openModelSlot(pulled: PulledModel, ref: string): Promise<ModelSlot> {
  const source = `${pulled.name}@${pulled.digest}`;
  const session: OnnxSession = await createOnnxSession(pulled.onnx, { threads: 1, warmUp: true, source });
  try {
    checkOnnxInputs(
      session.inputs,
      pulled.card.features.map((f) => ({ name: f.name, kind: f.type })),
      source,
    );
    findOnnxOutputRoles(session.outputs, pulled.card.task, source);
  } catch (error) {
    await session.release();
    throw error;
  }
  const predict = createMicroBatcher((columns) => predictOnnx(session, columns, pulled.card.task, source));
  let inFlight = 0;
  let retired = false;
  let released = false;
  const releaseIfDone = (): void => {
    if (retired && inFlight === 0 && !released) {
      released = true;
      void session.release().catch(() => undefined);
    }
  };
  return {
    ref,
    name: pulled.name,
    digest: pulled.digest,
    version: pulled.card.version,
    card: pulled.card,
    predict: (columns) => {
      if (released) return Promise.reject(new OnnxError(`${source}: the session was released`));
      return predict(columns);
    },
    retire: () => {
      retired = true;
      releaseIfDone();
    },
    hold: () => {
      inFlight++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight--;
        releaseIfDone();
      };
    },
  };
}
