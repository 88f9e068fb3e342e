/**
 * What the gateway's change index holds in memory: the replication keys of every document that has
 * any (primed from the rules' `replication_keys` view), and a window of the latest changes. Measured as
 * V8 heap used after full garbage collections, before and after priming an index over the large data
 * set (100,000 docs, CHT rules), then after 20,000 changes (the default window) have gone through it.
 *
 * The index reads CouchDB through the gateway's `GatewayCouch` port; here a port in this process answers
 * the view pages and `_changes` from the generated documents, every answer serialised and parsed again
 * as an HTTP answer would be, so the index holds strings of its own as it does behind a real server (a
 * server in this process would put its own heap into the figure). Sequences are numbers, as the
 * embedded server gives them; a CouchDB cluster's opaque sequences are longer strings.
 *
 * Run with `node --expose-gc --import tsx bench/change-index-memory.ts`.
 * Ratio: measured bytes per indexed document / the 200 bytes the docs used to estimate.
 */
import { chtAccessRules } from '../lib/cht/rules.js';
import { generateDataSet } from '../lib/seed/dataset.js';
import type { AnyDoc } from '../lib/sync/rules.js';
import { changeIndex, DEFAULT_WINDOW_SIZE, INDEX_BATCH } from '../lib/sync/gateway/change-index.js';
import type { ChangeIndex, ChangeRow } from '../lib/sync/gateway/change-index.js';
import type { GatewayCouch } from '../lib/sync/gateway/couch.js';

const ESTIMATE = 200;
const NOW = Date.UTC(2026, 10, 1);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc --import tsx bench/change-index-memory.ts');

const rules = chtAccessRules();
const design = rules.designDocId.replace(/^_design\//, '');
const rev = (n: number, id: string): string => `${n}-${Buffer.from(id).toString('hex').padEnd(32, '0').slice(0, 32)}`;

interface ViewRow { id: string; key: string; value: string }

/** The view's rows and the window's changes; the data set itself is dropped before anything is measured. */
function prepare(): { rows: ViewRow[]; changes: ChangeRow[] } {
  const docs = generateDataSet({ size: 'large', seed: 11, now: NOW }).medic;
  const viewRows: ViewRow[] = [];
  for (const doc of docs) {
    for (const key of rules.replicationKeys(doc)) viewRows.push({ id: doc._id, key, value: rev(1, doc._id) });
  }
  viewRows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // The changes of the window: second revisions of the first documents that have keys.
  const filed = docs.filter((doc) => rules.replicationKeys(doc as AnyDoc).length > 0).slice(0, DEFAULT_WINDOW_SIZE);
  const changeRows = filed.map((doc, i) => ({ seq: i + 1, id: doc._id, changes: [{ rev: rev(2, doc._id) }], doc: { ...doc, _rev: rev(2, doc._id) } }));
  return { rows: viewRows, changes: changeRows };
}
const { rows, changes } = prepare();
const indexed = new Set(rows.map((r) => r.id)).size;
const viaHttp = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The changes the index's follow request is answered with, a batch at a time; then it waits for the abort. */
let pendingChanges: ChangeRow[] = [];
const seq = 0;
let answerWait: (() => void) | undefined;
const nextBatch = (): unknown => {
  const batch = pendingChanges.slice(0, INDEX_BATCH);
  pendingChanges = pendingChanges.slice(INDEX_BATCH);
  return viaHttp({ results: batch, last_seq: batch.at(-1)?.seq ?? seq });
};
let drained: (() => void) | undefined;

const port = {
  abortable(_db: string, path: string, qs: Record<string, string>, signal: AbortSignal): Promise<unknown> {
    if (path === '') return Promise.resolve({ update_seq: seq });
    if (path === `_design/${design}/_view/replication_keys`) {
      const limit = Number(qs['limit']);
      let from = 0;
      if (qs['startkey'] !== undefined) {
        const key = JSON.parse(qs['startkey']) as string;
        const id = qs['startkey_docid'] ?? '';
        from = rows.findIndex((r) => r.key > key || (r.key === key && r.id >= id)) + Number(qs['skip'] ?? 0);
      }
      return Promise.resolve(viaHttp({ total_rows: rows.length, offset: from, rows: rows.slice(from, from + limit) }));
    }
    if (path === '_changes') {
      if (pendingChanges.length > 0) return Promise.resolve(nextBatch());
      if (qs['feed'] !== 'longpoll') return Promise.resolve({ results: [], last_seq: seq });
      drained?.();
      return new Promise((resolve, reject) => {
        answerWait = () => resolve(nextBatch());
        signal.addEventListener('abort', () => { answerWait = undefined; reject(new Error('aborted')); }, { once: true });
      });
    }
    return Promise.reject(new Error(`not served here: ${path}`));
  },
} as unknown as GatewayCouch;

/** Heap used after full collections, with turns of the event loop between (finalisers run in tasks). */
const heap = async (): Promise<number> => {
  for (let i = 0; i < 4; i += 1) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
};

/**
 * The heap an index holds: primed (and then given the window's changes when `withWindow`), measured,
 * then closed and dropped and measured again; the difference is what only the index kept alive.
 */
async function indexBytes(withWindow: boolean): Promise<number> {
  let idle = new Promise<void>((resolve) => { drained = resolve; });
  let index: ChangeIndex | undefined = changeIndex({ couch: port, db: 'medic', rules });
  await index.ready();
  await idle;
  if (index.keysOf(rows[0]!.id) === undefined) throw new Error('the index does not know a primed document');
  if (withWindow) {
    idle = new Promise<void>((resolve) => { drained = resolve; });
    pendingChanges = [...changes];
    answerWait?.();
    await idle;
    if (index.seen() !== changes.length) throw new Error(`the index took in ${index.seen()} changes, not ${changes.length}`);
  }
  const held = await heap();
  index.close();
  index = undefined;
  answerWait = undefined;
  return held - await heap();
}

const keysOnly = await indexBytes(false);
const withWindow = await indexBytes(true);
const perDoc = keysOnly / indexed;
const perChange = (withWindow - keysOnly) / changes.length;

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;
console.log(`primed over ${indexed} documents with keys (${rows.length} view rows): ${mb(keysOnly)} of heap, ${perDoc.toFixed(0)} B/doc`);
console.log(`plus a window of ${changes.length} changes (edits, keys unchanged): ${mb(withWindow - keysOnly)} more, ${perChange.toFixed(0)} B/change`);
console.log(`change-index-memory: ratio=${(perDoc / ESTIMATE).toFixed(2)} measured bytes per indexed doc / the ${ESTIMATE} B estimate (${perDoc.toFixed(0)} B/doc; window ${perChange.toFixed(0)} B/change)`);
