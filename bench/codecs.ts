/**
 * Decoding cost against the floor of reading the same documents at all.
 *
 * Data: 100,000 mixed CHT documents: the seed data set (contacts, reports, forms, user-settings,
 * `_users` records) with one report in five replaced by a task or a target document, serialised
 * to JSON once. Each round times, on the same documents in the same process:
 *   parse  = JSON.parse of every JSON string (the floor: any reader pays it)
 *   decode = decodeDoc of every parsed document (the codecs' own cost, parse excluded)
 * Headline ratio = decode / parse (median of the rounds). Also printed: (parse + decode) / parse,
 * the slowdown of "read and validate" against "read only".
 */
import { performance } from 'node:perf_hooks';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { decodeDoc, formatProblems } from '../lib/codecs/index.js';
import { generateDataSet } from '../lib/seed/dataset.js';

const COUNT = 100_000;
const ROUNDS = 7;
const NOW = Date.UTC(2026, 0, 15);

function mixedDocs(): unknown[] {
  const seed = generateDataSet({ size: 'large', seed: 7, now: NOW });
  const settings = seed.medic.filter((d) => d['type'] === 'user-settings');
  const docs: unknown[] = [...seed.users];
  let n = 0;
  for (const doc of seed.medic) {
    if (docs.length >= COUNT) break;
    const user = settings[n % settings.length];
    n += 1;
    if (doc['type'] !== 'data_record' || n % 5 !== 0 || !user) { docs.push(doc); continue; }
    const contact = String(user['contact_id']);
    if (n % 10 === 0) {
      const month = String(1 + (n % 12)).padStart(2, '0');
      docs.push({
        _id: `target~2025-${month}~${contact}~${user._id}`, type: 'target', user: user._id, owner: contact,
        reporting_period: `2025-${month}`, updated_date: NOW,
        targets: ['deaths', 'births', 'pregnancies', 'visits'].map((id, i) => ({ id, value: { pass: i + (n % 7), total: 10 + i } })),
      });
    } else {
      const emissionId = `${doc._id}~pregnancy-visit~${n % 3}`;
      docs.push({
        _id: `task~${user._id}~${emissionId}~${NOW - n}`, type: 'task', authoredOn: NOW - n, user: user._id,
        requester: contact, owner: contact, state: 'Ready',
        emission: { _id: emissionId, forId: contact, dueDate: '2026-01-20', startDate: '2026-01-13', endDate: '2026-01-27', title: 'task.visit', resolved: false, deleted: false, actions: [{ form: 'home_visit', label: 'Visit' }] },
        stateHistory: [{ state: 'Draft', timestamp: NOW - n - 1000 }, { state: 'Ready', timestamp: NOW - n }],
      });
    }
  }
  return docs;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const docs = mixedDocs();
const json = docs.map((d) => JSON.stringify(d));
const bytes = json.reduce((sum, s) => sum + s.length, 0);
const kinds = new Map<string, number>();
for (const doc of docs) {
  const result = decodeDoc(doc);
  if (isLeft(result)) throw new Error(`bench data does not decode:\n${formatProblems(result.left)}`);
  kinds.set(result.right.kind, (kinds.get(result.right.kind) ?? 0) + 1);
}
console.log(`codecs bench: ${docs.length} documents, ${(bytes / 1e6).toFixed(1)} MB of JSON, kinds ${[...kinds].map(([k, v]) => `${k}=${v}`).join(' ')}`);

let sink = 0;
const parseTimes: number[] = [];
const decodeTimes: number[] = [];
for (let round = 0; round < ROUNDS + 1; round += 1) {
  let start = performance.now();
  const parsed: unknown[] = new Array(json.length);
  for (let i = 0; i < json.length; i += 1) parsed[i] = JSON.parse(json[i]!);
  const parse = performance.now() - start;
  start = performance.now();
  for (let i = 0; i < parsed.length; i += 1) if (isRight(decodeDoc(parsed[i]))) sink += 1;
  const decode = performance.now() - start;
  if (round === 0) continue; // warm-up
  parseTimes.push(parse);
  decodeTimes.push(decode);
  console.log(`round ${round}: parse ${parse.toFixed(0)} ms, decode ${decode.toFixed(0)} ms`);
}
if (sink !== ROUNDS * docs.length + docs.length) throw new Error('a document failed to decode during timing');

const parse = median(parseTimes);
const decode = median(decodeTimes);
console.log(`JSON.parse:          ${parse.toFixed(0)} ms  (${Math.round(docs.length / (parse / 1000)).toLocaleString('en')} docs/s)`);
console.log(`decodeDoc:           ${decode.toFixed(0)} ms  (${Math.round(docs.length / (decode / 1000)).toLocaleString('en')} docs/s)`);
console.log(`parse + decodeDoc:   ${(parse + decode).toFixed(0)} ms  (${Math.round(docs.length / ((parse + decode) / 1000)).toLocaleString('en')} docs/s)`);
console.log(`(parse + decode) / parse = ${((parse + decode) / parse).toFixed(2)}`);
console.log(`codecs: ratio=${(decode / parse).toFixed(2)} decode/parse (goal <= 2)`);
