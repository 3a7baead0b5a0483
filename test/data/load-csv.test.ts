import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import { describeColumnKinds } from "../../src/data/column-kind.js";
import { findColumn, type Column, type Frame } from "../../src/data/frame.js";
import { loadCsv } from "../../src/data/load-csv.js";
import { loadTable } from "../../src/data/load-table.js";

const fixture = fileURLToPath(new URL("../fixtures/data/customers.csv", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mc-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeTemp(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function column(frame: Frame, name: string): Column {
  const found = findColumn(frame, name);
  if (found === undefined) throw new Error(`no column ${name}`);
  return found;
}

/** The column's values as plain data: numbers (NaN kept) or labels (null = missing). */
function valuesOf(frame: Frame, name: string): (number | string | null)[] {
  const c = column(frame, name);
  if (c.kind === "numeric") return Array.from(c.values);
  return Array.from(c.codes, (code) => (code < 0 ? null : c.dictionary[code]!));
}

describe("loadCsv", () => {
  it("infers kinds and reads numbers, missing tokens, quotes and names with spaces and slashes", async () => {
    // Act
    const frame = await loadCsv(fixture);
    // Assert
    expect(frame.nRows).toBe(5);
    expect(frame.columns.map((c) => [c.name, c.kind])).toEqual([
      ["customer id", "numeric"],
      ["monthly charges ($)", "numeric"],
      ["plan/tier", "categorical"],
      ["zip", "numeric"],
      ["score", "numeric"],
      ["late flip", "categorical"],
      ["notes", "categorical"],
    ]);
    expect(valuesOf(frame, "monthly charges ($)")).toEqual([29.85, 56.95, Number.NaN, 42.3, 18.25]);
    expect(valuesOf(frame, "score")).toEqual([0.001, 250, -0.5, 7, 4]);
    expect(valuesOf(frame, "plan/tier")).toEqual(["basic", "premium", "basic", null, "premium"]);
    expect(valuesOf(frame, "notes")).toEqual(["hello, world", "plain", "multi\nline note", null, 'quoted "inner" text']);
  });

  it("keeps the text of earlier cells when a column turns categorical late", async () => {
    const frame = await loadCsv(fixture);
    expect(valuesOf(frame, "late flip")).toEqual(["1", "2", "3", "x", "4"]);
  });

  it("honours type overrides, custom missing tokens and the needed columns", async () => {
    const frame = await loadCsv(fixture, {
      types: { zip: "categorical" },
      missingTokens: ["NA", "-"],
      columns: ["plan/tier", "zip", "customer id"],
    });
    expect(frame.columns.map((c) => c.name)).toEqual(["customer id", "plan/tier", "zip"]);
    expect(valuesOf(frame, "zip")).toEqual(["02134", "10001", "02134", "94105", "NaN"]);
    expect(valuesOf(frame, "plan/tier")).toEqual(["basic", "premium", "basic", "?", "premium"]);
  });

  it("is reached through loadTable", async () => {
    const frame = await loadTable({ type: "csv", path: fixture }, { columns: ["score"] });
    expect(valuesOf(frame, "score")).toEqual([0.001, 250, -0.5, 7, 4]);
  });

  it("reads a semicolon-separated file when told the delimiter", async () => {
    const path = writeTemp("semi.csv", "a;b\n1;x\n2;y\n");
    const frame = await loadCsv(path, { delimiter: ";" });
    expect(valuesOf(frame, "a")).toEqual([1, 2]);
  });
});

describe("loading a holdout with the training kinds", () => {
  it("keeps a column's kind even when the holdout's values would infer another", async () => {
    const training = await loadCsv(writeTemp("train.csv", "zip,plan\nA1,1\n02134,2\n"), { types: { plan: "categorical" } });
    const holdout = await loadCsv(writeTemp("holdout.csv", "zip,plan\n02134,1\n10001,3\n"), {
      types: describeColumnKinds(training),
    });
    expect(holdout.columns.map((c) => c.kind)).toEqual(["categorical", "categorical"]);
    expect(valuesOf(holdout, "zip")).toEqual(["02134", "10001"]);
  });
});

describe("loadCsv rejects bad data with file, line and column", () => {
  const binary = Buffer.from([0x50, 0x41, 0x52, 0x31, 0x00, 0x15, 0x04, 0x0a]);
  const cases: [string, () => string, object, RegExp][] = [
    ["a file that does not exist", () => join(dir, "absent.csv"), {}, /absent\.csv: file does not exist/],
    ["an empty file", () => writeTemp("empty.csv", ""), {}, /empty\.csv: file is empty/],
    ["a header with no rows", () => writeTemp("header.csv", "a,b\n"), {}, /header\.csv: has a header line but no data rows/],
    [
      "binary content",
      () => writeTemp("model.parquet.csv", binary),
      {},
      /model\.parquet\.csv: not a CSV file: it holds binary data \(a NUL byte at byte 5\)/,
    ],
    [
      "a row with the wrong number of fields",
      () => writeTemp("ragged.csv", 'a,b,c\n1,2,3\n"x\ny",2,3\n\n4,5\n'),
      {},
      /ragged\.csv: line 6: expected 3 fields as in the header, found 2/,
    ],
    [
      "a missing column, listing the ones that exist",
      () => fixture,
      { columns: ["churn", "score"] },
      /customers\.csv: column "churn" not found; the file has 7 columns: "customer id", "monthly charges \(\$\)", "plan\/tier"/,
    ],
    [
      "text in a column declared numeric, naming line and value",
      () => fixture,
      { types: { "late flip": "numeric" } },
      /customers\.csv: line 7: column "late flip" is declared numeric but holds the text "x"/,
    ],
    [
      "an unclosed quote",
      () => writeTemp("quote.csv", 'a,b\n1,"open\n2,3\n'),
      {},
      /quote\.csv: (line \d+: )?not valid CSV: .*[Qq]uote/,
    ],
    ["a duplicated column name", () => writeTemp("dup.csv", "a,b,a\n1,2,3\n"), {}, /dup\.csv: line 1: column name "a" appears twice/],
    ["a folder", () => dir, {}, /is a folder, not a data file/],
  ];

  it.each(cases)("%s", async (_what, makePath, options, message) => {
    const promise = loadCsv(makePath(), options);
    await expect(promise).rejects.toThrow(DataError);
    await expect(loadCsv(makePath(), options)).rejects.toThrow(message);
  });
});
