/**
 * GitOps edits of `environments/<name>.yaml`: pure text → text functions.
 *
 * The `yaml` Document locates the nodes to change; the edit then splices
 * only those bytes of the source, so comments, key order, quoting and flow
 * spacing (`{ max: 0.02 }` next to `[10, 25]`) stay exactly as the user
 * wrote them. Structural changes the splice cannot express (a missing
 * mapping) fall back to re-rendering the Document, which still keeps
 * comments. The caller validates the result against `EnvironmentSpec`.
 */
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node } from "yaml";
import { MetaControllerError } from "../common/errors.js";
import type { StrategyType } from "../config/environment.js";

/** An environment file cannot take the edit asked for (names the file and the field). */
export class EnvironmentEditError extends MetaControllerError {}

/** What a deploy puts into the file. */
export interface DeployEdit {
  /** Full model reference with a digest, `name:tag@sha256:…`. */
  readonly ref: string;
  /** Strategy to roll out with; the file's own when absent. */
  readonly strategy?: StrategyType;
}

/** What a rollback takes out of the file. */
export interface RollbackEdit {
  /** Digest that misbehaves: cleared from `candidate`/`stable` and quarantined. */
  readonly badDigest: string;
  /** Reference to serve again when the bad digest is `stable`; null when none is known. */
  readonly lastGood: string | null;
}

/** The `stable`, `candidate` and quarantine of an environment file, read without validation. */
export interface EnvironmentRefs {
  readonly stable: string | null;
  readonly candidate: string | null;
  readonly quarantine: readonly string[];
}

const DIGEST = /@(sha256:[a-f0-9]{64})$/;
const PLAIN_SAFE = /^[A-Za-z0-9_./@:-]+$/;

/** The digest part of `name[:tag]@sha256:…`, or undefined when the reference has none. */
export function digestOfRef(ref: string | null | undefined): string | undefined {
  if (!ref) return undefined;
  return DIGEST.exec(ref)?.[1];
}

/** The first 12 hex digits of a digest, used in branch names and titles. */
export function shortDigest(digest: string): string {
  return digest.replace(/^sha256:/, "").slice(0, 12);
}

/** One byte-range replacement of the source. */
interface Splice {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A working copy: the parsed source and the splices collected so far. */
interface Edit {
  readonly file: string;
  readonly source: string;
  readonly doc: Document;
  readonly splices: Splice[];
  /** Set when an edit needed a structural change: the Document is rendered instead. */
  rerender: boolean;
}

function open(file: string, text: string): Edit {
  const doc = parseDocument(text, { uniqueKeys: true, keepSourceTokens: false });
  if (doc.errors.length > 0) {
    throw new EnvironmentEditError(`${file}: invalid YAML: ${doc.errors[0]!.message.split("\n")[0]!}`);
  }
  if (!isMap(doc.contents)) throw new EnvironmentEditError(`${file}: expected a mapping at the top level`);
  return { file, source: text, doc, splices: [], rerender: false };
}

function scalarText(value: string | null): string {
  if (value === null) return "null";
  if (!PLAIN_SAFE.test(value)) return JSON.stringify(value);
  return value;
}

function close(edit: Edit): string {
  if (edit.rerender) return edit.doc.toString({ lineWidth: 0 });
  let out = edit.source;
  for (const s of [...edit.splices].sort((a, b) => b.start - a.start)) {
    out = out.slice(0, s.start) + s.text + out.slice(s.end);
  }
  return out;
}

function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl;
}

/** Sets a top-level or nested scalar, splicing its bytes when it exists. */
function setScalar(edit: Edit, path: readonly string[], value: string | null): void {
  const node = edit.doc.getIn(path, true) as Node | undefined | null;
  edit.doc.setIn(path, value);
  if (edit.rerender) return;
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    const written = edit.source.slice(start, end);
    const text = scalarText(value);
    edit.splices.push({
      start,
      end,
      text: written.length === 0 && edit.source[start - 1] === ":" ? ` ${text}` : text,
    });
    return;
  }
  if (node === undefined && path.length === 1 && path[0] === "candidate") {
    // A missing `candidate:` goes on the line after `stable:`.
    const stable = edit.doc.get("stable", true) as Node | undefined;
    if (stable?.range) {
      const at = lineEnd(edit.source, stable.range[1]);
      edit.splices.push({ start: at, end: at, text: `\ncandidate: ${scalarText(value)}` });
      return;
    }
  }
  edit.rerender = true;
}

function readRef(doc: Document, key: "stable" | "candidate"): string | null {
  const value: unknown = doc.get(key);
  return typeof value === "string" ? value : null;
}

function quarantineList(edit: Edit): string[] {
  const node: unknown = edit.doc.get("quarantine", true);
  if (node === undefined || node === null || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) throw new EnvironmentEditError(`${edit.file}: quarantine: expected a list of digests`);
  return node.items.map((item) => (isScalar(item) ? String(item.value) : String(item)));
}

/** Appends a digest to `quarantine`, in the list's own style. */
function quarantine(edit: Edit, digest: string): void {
  if (quarantineList(edit).includes(digest)) return;
  const node = edit.doc.get("quarantine", true) as Node | undefined;
  const items = isSeq(node) ? node.items.length : 0;
  if (isSeq(node)) edit.doc.addIn(["quarantine"], digest);
  else edit.doc.set("quarantine", edit.doc.createNode([digest]));
  if (edit.rerender) return;
  if (node === undefined) {
    const sep = edit.source.endsWith("\n") || edit.source.length === 0 ? "" : "\n";
    const at = edit.source.length;
    edit.splices.push({ start: at, end: at, text: `${sep}quarantine: [${digest}]\n` });
    return;
  }
  if (isScalar(node) && node.range) {
    const [start, end] = node.range;
    const pad = edit.source.slice(start, end).length === 0 ? " " : "";
    edit.splices.push({ start, end, text: `${pad}[${digest}]` });
    return;
  }
  if (isSeq(node) && node.range) {
    if (node.flow) {
      const close = edit.source.lastIndexOf("]", node.range[1]);
      if (items === 0) {
        edit.splices.push({ start: close, end: close, text: digest });
      } else {
        const last = node.items[items - 1] as Node;
        if (!last.range) {
          edit.rerender = true;
          return;
        }
        edit.splices.push({ start: last.range[1], end: last.range[1], text: `, ${digest}` });
      }
      return;
    }
    const first = node.items[0] as Node | undefined;
    const last = node.items[items - 1] as Node | undefined;
    if (first?.range && last?.range) {
      const lineStart = edit.source.lastIndexOf("\n", first.range[0]) + 1;
      const indent = /^[ ]*/.exec(edit.source.slice(lineStart))![0];
      const at = lineEnd(edit.source, last.range[1]);
      edit.splices.push({ start: at, end: at, text: `\n${indent}- ${digest}` });
      return;
    }
  }
  edit.rerender = true;
}

/** Reads the refs an edit depends on. */
export function readEnvironmentRefs(file: string, text: string): EnvironmentRefs {
  const edit = open(file, text);
  return {
    stable: readRef(edit.doc, "stable"),
    candidate: readRef(edit.doc, "candidate"),
    quarantine: quarantineList(edit),
  };
}

/**
 * Deploys a model: `simple` replaces `stable` at once (and clears any
 * candidate); `canary` and `blue-green` set `candidate` and the strategy, and
 * the server rolls it out.
 */
export function buildDeployEdit(file: string, text: string, deploy: DeployEdit): string {
  const edit = open(file, text);
  const digest = digestOfRef(deploy.ref);
  if (!digest) throw new EnvironmentEditError(`${file}: model reference ${deploy.ref} carries no digest`);
  if (quarantineList(edit).includes(digest)) {
    throw new EnvironmentEditError(`${file}: ${digest} is quarantined and is never deployed again`);
  }
  const current: unknown = edit.doc.getIn(["strategy", "type"]);
  if (deploy.strategy !== undefined && deploy.strategy !== current) {
    if (isMap(edit.doc.get("strategy", true))) setScalar(edit, ["strategy", "type"], deploy.strategy);
    else {
      edit.doc.set("strategy", edit.doc.createNode({ type: deploy.strategy }));
      edit.rerender = true;
    }
  }
  const strategy = deploy.strategy ?? (typeof current === "string" ? current : "canary");
  if (strategy === "simple") {
    setScalar(edit, ["stable"], deploy.ref);
    if (readRef(edit.doc, "candidate") !== null) setScalar(edit, ["candidate"], null);
  } else {
    setScalar(edit, ["candidate"], deploy.ref);
  }
  return close(edit);
}

/** Promotes the candidate: `stable` ← `candidate`, `candidate` ← null. */
export function buildPromoteEdit(file: string, text: string): string {
  const edit = open(file, text);
  const candidate = readRef(edit.doc, "candidate");
  if (candidate === null) throw new EnvironmentEditError(`${file}: candidate: nothing to promote`);
  setScalar(edit, ["stable"], candidate);
  setScalar(edit, ["candidate"], null);
  return close(edit);
}

/**
 * Takes a bad digest out of service: a bad candidate is cleared, a bad
 * stable is replaced by `lastGood`, and the digest is quarantined so it is
 * never deployed again.
 */
export function buildRollbackEdit(file: string, text: string, rollback: RollbackEdit): string {
  const edit = open(file, text);
  const stable = readRef(edit.doc, "stable");
  const candidate = readRef(edit.doc, "candidate");
  const candidateBad = digestOfRef(candidate) === rollback.badDigest;
  const stableBad = digestOfRef(stable) === rollback.badDigest;
  if (!candidateBad && !stableBad) {
    throw new EnvironmentEditError(
      `${file}: ${rollback.badDigest} is neither stable nor candidate; nothing to roll back`,
    );
  }
  if (candidate !== null) setScalar(edit, ["candidate"], null);
  if (stableBad) {
    if (rollback.lastGood === null) {
      throw new EnvironmentEditError(`${file}: stable: no earlier good model to roll back to`);
    }
    if (digestOfRef(rollback.lastGood) === rollback.badDigest) {
      throw new EnvironmentEditError(
        `${file}: stable: the last good model is the bad one (${rollback.badDigest})`,
      );
    }
    setScalar(edit, ["stable"], rollback.lastGood);
  }
  quarantine(edit, rollback.badDigest);
  return close(edit);
}

/** Aborts the rollout in progress: clears and quarantines the candidate. */
export function buildAbortEdit(file: string, text: string): string {
  const refs = readEnvironmentRefs(file, text);
  const digest = digestOfRef(refs.candidate);
  if (!digest) throw new EnvironmentEditError(`${file}: candidate: no rollout in progress to abort`);
  return buildRollbackEdit(file, text, { badDigest: digest, lastGood: refs.stable });
}
