/**
 * The mergeable quantile sketch behind numeric profiles: DDSketch, whose
 * quantiles are within a stated relative error α of the true ones and whose
 * merge equals the sketch of the union of the inputs. Stored as the standard
 * DDSketch protobuf, base64-encoded, so the profile stays JSON and other
 * DDSketch implementations can read it.
 */
import { DDSketch } from "@datadog/sketches-js";

/** Relative accuracy α of every profile sketch: quantiles within ±1 %. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/** Builds a sketch of the finite values of a column (NaN = missing is skipped). */
export function buildSketch(values: Float64Array): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) sketch.accept(v);
  }
  return sketch;
}

/** Serialises a sketch as base64 protobuf. */
export function encodeSketch(sketch: DDSketch): string {
  return Buffer.from(sketch.toProto()).toString("base64");
}

/** Reads a sketch written by {@link encodeSketch}. */
export function decodeSketch(encoded: string): DDSketch {
  return DDSketch.fromProto(new Uint8Array(Buffer.from(encoded, "base64")));
}

/** Merges encoded sketches into one encoded sketch. */
export function mergeEncodedSketches(encoded: readonly string[]): string {
  const merged = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  for (const e of encoded) merged.merge(decodeSketch(e));
  return encodeSketch(merged);
}

/** The value at quantile q of an encoded sketch, or NaN when it is empty. */
export function sketchQuantile(encoded: string, q: number): number {
  const sketch = decodeSketch(encoded);
  if (sketch.count === 0) return Number.NaN;
  return sketch.getValueAtQuantile(q);
}
