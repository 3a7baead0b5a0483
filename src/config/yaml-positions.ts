/**
 * Maps a field path (as zod reports it) to a line and column in the YAML
 * source, so every problem can be shown as `path:line:col`.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from "yaml";

/** A 1-based position in a file. */
export interface Position {
  line: number;
  column: number;
}

type PathKey = string | number;

function childOf(node: unknown, key: PathKey): { value: unknown; keyNode: unknown } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const k: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
      if (k === key || String(k) === String(key)) return { value: pair.value, keyNode: pair.key };
    }
    return undefined;
  }
  if (isSeq(node) && typeof key === "number") {
    const item: unknown = node.items[key];
    return item === undefined ? undefined : { value: item, keyNode: item };
  }
  return undefined;
}

function startOf(node: unknown): number | undefined {
  if (isPair(node)) return startOf(node.key);
  const range = (node as Partial<Node> | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/**
 * Finds where `path` is in the document. When the path does not exist (a
 * missing required field), points at the nearest ancestor that does. With
 * `atKey`, points at the last path segment's key rather than its value.
 */
export function findPosition(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PathKey[],
  options: { atKey?: boolean } = {},
): Position {
  let node: unknown = document.contents;
  let best = startOf(node) ?? 0;
  let lastKey = 0;
  for (let i = 0; i < path.length; i++) {
    const child = childOf(node, path[i]!);
    // A missing field is reported at the key of the mapping that lacks it.
    if (!child) {
      best = lastKey;
      break;
    }
    lastKey = startOf(child.keyNode) ?? lastKey;
    const isLast = i === path.length - 1;
    const target = isLast && options.atKey ? child.keyNode : (child.value ?? child.keyNode);
    best = startOf(target) ?? startOf(child.keyNode) ?? best;
    node = child.value;
  }
  const { line, col } = lineCounter.linePos(best);
  return { line, column: col };
}

/** Position of a key inside the mapping at `path` (for unknown keys). */
export function findKeyPosition(
  document: Document,
  lineCounter: LineCounter,
  path: readonly PathKey[],
  key: string,
): Position {
  return findPosition(document, lineCounter, [...path, key], { atKey: true });
}
