import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataError } from "../../src/common/errors.js";
import type { Frame } from "../../src/data/frame.js";
import type { LoadOptions } from "../../src/data/load-options.js";
import { loadParquet } from "../../src/data/load-parquet.js";
import { loadTable } from "../../src/data/load-table.js";

const dir = mkdtempSync(join(tmpdir(), "mc-parquet-"));
const path = join(dir, "customers.parquet");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(() => {
  // Two row groups, so chunks must be put back in row order.
  parquetWriteFile({
    filename: path,
    rowGroupSize: 3,
    columnData: [
      { name: "customer id", data: [1n, 2n, 3n, 4n, 5n], type: "INT64" },
      { name: "monthly charges ($)", data: [29.85, 56.95, null, 42.3, 18.25], type: "DOUBLE" },
      { name: "plan/tier", data: ["basic", "premium", "basic", "?", null], type: "STRING" },
      { name: "zip", data: ["02134", "10001", "02134", "94105", "NA"], type: "STRING" },
      { name: "active", data: [true, false, true, true, null], type: "BOOLEAN" },
      { name: "late text", data: ["1", "2", "3", "x", "4"], type: "STRING" },
    ],
  });
});

function valuesOf(frame: Frame, name: string): (number | string | null)[] {
  const c = frame.columns.find((col) => col.name === name)!;
  if (c.kind === "numeric") return Array.from(c.values);
  return Array.from(c.codes, (code) => (code < 0 ? null : c.dictionary[code]!));
}

describe("loadParquet", () => {
  it("reads numeric, text and boolean columns, with nulls and missing tokens as missing", async () => {
    const frame = await loadParquet(path);
    expect(frame.nRows).toBe(5);
    expect(frame.columns.map((c) => [c.name, c.kind])).toEqual([
      ["customer id", "numeric"],
      ["monthly charges ($)", "numeric"],
      ["plan/tier", "categorical"],
      ["zip", "numeric"],
      ["active", "categorical"],
      ["late text", "categorical"],
    ]);
    expect(valuesOf(frame, "customer id")).toEqual([1, 2, 3, 4, 5]);
    expect(valuesOf(frame, "monthly charges ($)")).toEqual([29.85, 56.95, Number.NaN, 42.3, 18.25]);
    expect(valuesOf(frame, "plan/tier")).toEqual(["basic", "premium", "basic", null, null]);
    expect(valuesOf(frame, "zip")).toEqual([2134, 10001, 2134, 94105, Number.NaN]);
    expect(valuesOf(frame, "active")).toEqual(["true", "false", "true", "true", null]);
    expect(valuesOf(frame, "late text")).toEqual(["1", "2", "3", "x", "4"]);
  });

  it("honours overrides and needed columns through loadTable", async () => {
    const frame = await loadTable(
      { type: "parquet", path },
      { columns: ["zip", "customer id"], types: { zip: "categorical", "customer id": "categorical" } },
    );
    expect(frame.columns.map((c) => c.name)).toEqual(["customer id", "zip"]);
    expect(valuesOf(frame, "zip")).toEqual(["02134", "10001", "02134", "94105", null]);
    expect(valuesOf(frame, "customer id")).toEqual(["1", "2", "3", "4", "5"]);
  });

  it.each<[string, LoadOptions, RegExp]>([
    ["a missing column, listing the ones that exist", { columns: ["churn"] }, /customers\.parquet: column "churn" not found; the file has 6 columns: "customer id"/],
    [
      "text in a column declared numeric, naming the row",
      { types: { "late text": "numeric" } },
      /customers\.parquet: row 4: column "late text" is declared numeric but holds the text "x"/,
    ],
  ])("rejects %s", async (_what, options, message) => {
    await expect(loadParquet(path, options)).rejects.toThrow(DataError);
    await expect(loadParquet(path, options)).rejects.toThrow(message);
  });

  it("rejects a file that is not Parquet", async () => {
    const fake = join(dir, "fake.parquet");
    writeFileSync(fake, "a,b\n1,2\n");
    await expect(loadParquet(fake)).rejects.toThrow(/fake\.parquet: not a Parquet file \(/);
  });

  it("rejects an absent file", async () => {
    await expect(loadTable({ type: "parquet", path: join(dir, "nope.parquet") })).rejects.toThrow(
      /nope\.parquet: file does not exist/,
    );
  });
});
