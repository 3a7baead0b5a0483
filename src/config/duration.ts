/**
 * Durations as users write them in YAML: `30s`, `5m`, `1h30m`, `500ms`, or a
 * bare number of seconds.
 */
import { z } from "zod";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_PATTERN = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/;
const PART_PATTERN = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

/** Parses a duration into milliseconds, or returns `undefined` when the text is not one. */
export function parseDurationMs(value: string | number): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? value * 1000 : undefined;
  const text = value.trim();
  if (!DURATION_PATTERN.test(text)) return undefined;
  let total = 0;
  for (const match of text.matchAll(PART_PATTERN)) {
    total += Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  }
  return total;
}

/** A duration field: a string such as `30s` or `5m`, or a number of seconds. Parsed to milliseconds. */
export const Duration = z
  .union([z.string(), z.number()])
  .superRefine((value, ctx) => {
    if (parseDurationMs(value) === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `expected a duration such as 30s, 5m or 1h, or a number of seconds; got ${JSON.stringify(value)}`,
      });
    }
  })
  .describe("A duration: `500ms`, `30s`, `5m`, `1h`, `1h30m`, or a number of seconds.");
