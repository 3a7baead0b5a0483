/**
 * Writes data/customer_data.csv: the example data set of the seed's churn
 * pipeline. Synthetic and seeded, so the file is reproducible byte for byte:
 *
 *   npx tsx scripts/generate-customer-data.ts [rows] [seed]
 *
 * Churn depends on the features through a logistic model (short tenure,
 * month-to-month contracts, high charges and fibre raise it) plus noise, so a
 * good model beats the majority class clearly but not perfectly. About 2% of
 * the feature values are missing.
 */
import { writeFileSync } from "node:fs";
import { createRandom, type Random } from "../src/common/random.js";

const rows = Number(process.argv[2] ?? 5000);
const seed = Number(process.argv[3] ?? 20240611);
const random = createRandom(seed);

function pick<T>(r: Random, options: readonly T[], weights: readonly number[]): T {
  let u = r.next() * weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < options.length; i++) {
    u -= weights[i]!;
    if (u < 0) return options[i]!;
  }
  return options[options.length - 1]!;
}

function maybeMissing(value: string, rate = 0.02): string {
  return random.next() < rate ? "" : value;
}

const header = [
  "customer_id",
  "age",
  "tenure",
  "monthly_charges",
  "total_charges",
  "gender",
  "partner",
  "phone_service",
  "contract",
  "internet_service",
  "churn",
];
const lines = [header.join(",")];
for (let i = 0; i < rows; i++) {
  const age = Math.min(90, Math.max(18, Math.round(45 + 15 * random.normal())));
  const contract = pick(random, ["month-to-month", "one-year", "two-year"], [0.55, 0.25, 0.2]);
  const tenureScale = contract === "month-to-month" ? 14 : contract === "one-year" ? 30 : 48;
  const tenure = Math.min(72, Math.round(-tenureScale * Math.log(1 - random.next() * 0.999)));
  const internet = pick(random, ["fiber", "dsl", "none"], [0.45, 0.35, 0.2]);
  const base = internet === "fiber" ? 80 : internet === "dsl" ? 55 : 25;
  const monthly = Math.max(18, base + 12 * random.normal());
  const total = monthly * Math.max(1, tenure) * (0.95 + 0.1 * random.next());
  const gender = random.next() < 0.5 ? "female" : "male";
  const partner = random.next() < 0.48 ? "yes" : "no";
  const phone = random.next() < 0.9 ? "yes" : "no";

  const logit =
    -0.4 +
    (contract === "month-to-month" ? 0.9 : contract === "one-year" ? -0.3 : -1.0) -
    0.09 * tenure +
    0.045 * (monthly - 60) +
    (internet === "fiber" ? 0.4 : 0) +
    (partner === "yes" ? -0.5 : 0) +
    (age > 65 ? 0.6 : age < 25 ? 0.3 : 0) +
    0.3 * random.normal();
  const churn = random.next() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;

  lines.push(
    [
      `C${String(100000 + i)}`,
      maybeMissing(String(age)),
      maybeMissing(String(tenure)),
      maybeMissing(monthly.toFixed(2)),
      maybeMissing(total.toFixed(2), 0.01),
      maybeMissing(gender),
      maybeMissing(partner),
      maybeMissing(phone, 0.01),
      contract,
      internet,
      String(churn),
    ].join(","),
  );
}
writeFileSync(new URL("../data/customer_data.csv", import.meta.url), lines.join("\n") + "\n");
console.error(`wrote ${rows} rows to data/customer_data.csv`);
