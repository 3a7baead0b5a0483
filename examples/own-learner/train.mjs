// A bring-your-own learner for `model_type: command`, in plain Node.js with no
// dependencies: it reads the training CSV the pipeline hands it, fits a
// softmax (or, for regression, linear) model on the numeric features by
// gradient descent, and writes model.onnx by the contract in
// docs/learners.md#bring-your-own-learner-the-onnx-contract:
//
//   inputs   one per feature, named as the feature: numeric tensor(float) [N, 1],
//            categorical tensor(string) [N, 1] (this example takes them and ignores them)
//   outputs  classification: label [N] (int64 for integer classes, else string) and
//            probabilities tensor(float) [N, K], columns in META_CONTROLLER_CLASSES order;
//            regression: prediction tensor(float) [N, 1]
//
// Run by a pipeline with  command: { run: node examples/own-learner/train.mjs }.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const env = process.env;
const task = env.META_CONTROLLER_TASK;
const target = env.META_CONTROLLER_TARGET_COLUMN;
const features = JSON.parse(env.META_CONTROLLER_FEATURES);
const classes = task === "classification" ? JSON.parse(env.META_CONTROLLER_CLASSES) : [];
const numeric = features.filter((f) => f.kind === "numeric").map((f) => f.name);

// --- read the training rows (the pipeline writes plain CSV: a header, "" for missing) ---
function parseCsvLine(line) {
  const out = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out;
}
const [header, ...rows] = readFileSync(env.META_CONTROLLER_TRAIN_CSV, "utf8")
  .trimEnd()
  .split("\n")
  .map(parseCsvLine);
const column = (name) => rows.map((r) => r[header.indexOf(name)]);
const X = numeric.map((name) => column(name).map((v) => (v === "" ? NaN : Number(v))));
const labels = column(target);

// --- standardise (missing → the mean) and fit by full-batch gradient descent ---
const mean = X.map((xs) => avg(xs.filter((v) => !Number.isNaN(v))));
const std = X.map(
  (xs, j) => Math.sqrt(avg(xs.filter((v) => !Number.isNaN(v)).map((v) => (v - mean[j]) ** 2))) || 1,
);
const Z = rows.map((_, i) => X.map((xs, j) => (Number.isNaN(xs[i]) ? 0 : (xs[i] - mean[j]) / std[j])));
const K = task === "classification" ? classes.length : 1;
const y = task === "classification" ? labels.map((l) => classes.indexOf(l)) : labels.map(Number);
const yMean = task === "regression" ? avg(y) : 0;
const W = numeric.map(() => new Array(K).fill(0));
const b = new Array(K).fill(0);
for (let step = 0; step < 300; step++) {
  const gW = numeric.map(() => new Array(K).fill(0));
  const gb = new Array(K).fill(0);
  Z.forEach((z, i) => {
    const scores = b.map((bk, k) => bk + z.reduce((s, v, j) => s + v * W[j][k], 0));
    const residual =
      task === "classification"
        ? softmax(scores).map((p, k) => p - (k === y[i] ? 1 : 0))
        : [scores[0] - (y[i] - yMean)];
    residual.forEach((r, k) => {
      gb[k] += r / Z.length;
      z.forEach((v, j) => (gW[j][k] += (r * v) / Z.length));
    });
  });
  b.forEach((_, k) => (b[k] -= 0.5 * gb[k]));
  W.forEach((row, j) => row.forEach((_, k) => (row[k] -= 0.5 * gW[j][k])));
}
if (task === "regression") b[0] += yMean;

function avg(xs) {
  return xs.length === 0 ? 0 : xs.reduce((a, v) => a + v, 0) / xs.length;
}
function softmax(s) {
  const m = Math.max(...s);
  const e = s.map((v) => Math.exp(v - m));
  const total = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / total);
}

// --- the ONNX graph, written as protobuf (onnx.proto field numbers) ---
const FLOAT = 1,
  INT64 = 7,
  STRING = 8;
function varint(n) {
  let v = BigInt.asUintN(64, BigInt(n));
  const out = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? low | 0x80 : low);
  } while (v);
  return out;
}
const bytes = (field, data) => [...varint((field << 3) | 2), ...varint(data.length), ...data];
const text = (field, s) => bytes(field, [...Buffer.from(s, "utf8")]);
const int = (field, n) => [...varint(field << 3), ...varint(n)];
const floats = (values) => [...new Uint8Array(Float32Array.from(values).buffer)];

function tensor(name, type, dims, values) {
  const data =
    type === FLOAT
      ? bytes(4, floats(values))
      : type === INT64
        ? bytes(7, values.flatMap(varint))
        : values.flatMap((v) => text(6, v));
  return [...dims.flatMap((d) => int(1, d)), ...int(2, type), ...data, ...text(8, name)];
}
function valueInfo(name, type, dims) {
  const shape = dims.flatMap((d) => bytes(1, typeof d === "number" ? int(1, d) : text(2, d)));
  return [...text(1, name), ...bytes(2, bytes(1, [...int(1, type), ...bytes(2, shape)]))];
}
function node(op, inputs, outputs, attributes = []) {
  return [
    ...inputs.flatMap((n) => text(1, n)),
    ...outputs.flatMap((n) => text(2, n)),
    ...text(4, op),
    ...attributes.flatMap((a) => bytes(5, a)),
  ];
}
const intAttribute = (name, n) => [...text(1, name), ...int(3, n), ...int(20, 2)];

const nodes = [
  node("Concat", numeric, ["x"], [intAttribute("axis", 1)]),
  node("IsNaN", ["x"], ["x_missing"]),
  node("Where", ["x_missing", "mean", "x"], ["x_imputed"]),
  node("Sub", ["x_imputed", "mean"], ["x_centred"]),
  node("Div", ["x_centred", "std"], ["z"]),
  node("MatMul", ["z", "W"], ["z_W"]),
  node("Add", ["z_W", "b"], [task === "classification" ? "scores" : "prediction"]),
];
const initializers = [
  tensor("mean", FLOAT, [numeric.length], mean),
  tensor("std", FLOAT, [numeric.length], std),
  tensor("W", FLOAT, [numeric.length, K], W.flat()),
  tensor("b", FLOAT, [K], b),
];
const outputs = [];
if (task === "classification") {
  const integers = classes.every((c) => /^[+-]?\d+$/.test(c));
  nodes.push(
    node("Softmax", ["scores"], ["probabilities"], [intAttribute("axis", 1)]),
    node("ArgMax", ["probabilities"], ["best"], [intAttribute("axis", 1), intAttribute("keepdims", 0)]),
    node("Gather", ["classes", "best"], ["label"], [intAttribute("axis", 0)]),
  );
  initializers.push(
    integers ? tensor("classes", INT64, [K], classes.map(Number)) : tensor("classes", STRING, [K], classes),
  );
  outputs.push(
    valueInfo("label", integers ? INT64 : STRING, ["N"]),
    valueInfo("probabilities", FLOAT, ["N", K]),
  );
} else {
  outputs.push(valueInfo("prediction", FLOAT, ["N", 1]));
}
const inputs = features.map((f) => valueInfo(f.name, f.kind === "numeric" ? FLOAT : STRING, ["N", 1]));
const graph = [
  ...nodes.flatMap((n) => bytes(1, n)),
  ...text(2, "own_learner"),
  ...initializers.flatMap((t) => bytes(5, t)),
  ...inputs.flatMap((v) => bytes(11, v)),
  ...outputs.flatMap((v) => bytes(12, v)),
];
const model = [
  ...int(1, 8),
  ...text(2, "own-learner-example"),
  ...bytes(7, graph),
  ...bytes(8, [...text(1, ""), ...int(2, 13)]),
];
writeFileSync(join(env.META_CONTROLLER_OUTPUT_DIR, "model.onnx"), Uint8Array.from(model));
console.log(
  `own learner: ${task} on ${rows.length} rows, ${numeric.length} numeric features, model.onnx written`,
);
