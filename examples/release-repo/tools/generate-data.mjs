// Regenerates the example's data and model bytes deterministically (seeded PRNG),
// so the committed files can be reproduced: node tools/generate-data.mjs
import { writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parquetWriteBuffer } from 'hyparquet-writer';

let state = 0x2f6b_a1c3;
const rand = () => {
  // xorshift32: enough for example data, and identical on every platform.
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 0x1_0000_0000;
};

function rows(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const income = Math.round(20000 + rand() * 180000);
    const debtRatio = Math.round(rand() * 1000) / 1000;
    const accountMonths = Math.floor(rand() * 360);
    const latePayments = Math.floor(rand() * rand() * 12);
    const risk = debtRatio * 2 + latePayments * 0.3 - income / 100000 - accountMonths / 240;
    const defaulted = risk + rand() > 1.2 ? 1 : 0;
    out.push({ applicant_id: `A${String(i).padStart(6, '0')}`, income, debt_ratio: debtRatio,
      account_age_months: accountMonths, late_payments: latePayments, defaulted });
  }
  return out;
}

const header = 'applicant_id,income,debt_ratio,account_age_months,late_payments,defaulted';
const toCsv = (rs) => [header, ...rs.map((r) => Object.values(r).join(','))].join('\n') + '\n';

mkdirSync('data/training', { recursive: true });
mkdirSync('data/validation', { recursive: true });
const training = rows(1200);
writeFileSync('data/training/part-000.csv', toCsv(training.slice(0, 600)));
writeFileSync('data/training/part-001.csv', toCsv(training.slice(600)));

const validation = rows(400);
const col = (name, type) => ({ name, type, data: validation.map((r) => r[name]) });
const parquet = parquetWriteBuffer({
  columnData: [
    col('applicant_id', 'STRING'), col('income', 'INT32'), col('debt_ratio', 'DOUBLE'),
    col('account_age_months', 'INT32'), col('late_payments', 'INT32'), col('defaulted', 'INT32'),
  ],
});
writeFileSync('data/validation/holdout.parquet', Buffer.from(parquet));

// Stand-in for trained weights: 48 KiB of seeded bytes behind a recognisable header.
const weights = Buffer.alloc(48 * 1024);
for (let i = 0; i < weights.length; i++) weights[i] = Math.floor(rand() * 256);
Buffer.from('EXAMPLE-CREDIT-RISK-MODEL-v3\n').copy(weights);
mkdirSync('models/credit-risk', { recursive: true });
writeFileSync('models/credit-risk/model.pt', weights);
console.log('model sha256', createHash('sha256').update(weights).digest('hex'));
