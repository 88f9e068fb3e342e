/**
 * `fieldsync validate`: reads every document of a live database page by page (never all in memory),
 * decodes each with the codecs (the PHR ones for a PHR database), and checks the cross-document rules
 * a codec cannot see. Prints counts per kind and every problem; exit 1 when anything is invalid.
 */
import { isLeft } from '../codecs/either.js';
import { decodeDoc } from '../codecs/index.js';
import type { DecodeProblem } from '../codecs/index.js';
import { decodePhrDoc, PHR_DATABASE } from '../phr/index.js';
import { createConsistencyChecker } from '../validate/consistency.js';
import type { ConsistencyProblem } from '../validate/consistency.js';
import { connect } from './couch.js';
import { CliError } from './output.js';
import { startProgress } from './progress.js';
import type { OutputMode } from './progress.js';

/** What one validation found. */
export interface ValidateResult {
  readonly db: string;
  readonly schema: 'cht' | 'phr';
  readonly documents: number;
  readonly kinds: Readonly<Record<string, number>>;
  readonly invalid: ReadonlyArray<{ readonly id: string; readonly problems: readonly DecodeProblem[] }>;
  readonly crossDocument: readonly ConsistencyProblem[];
}

/** Options of the validate command. */
export interface ValidateOptions {
  readonly db: string;
  /** `cht`, `phr`, or `auto` (phr for a database named testingdb). */
  readonly schema: string;
}

const PAGE = 1_000;

function describeCross(p: ConsistencyProblem): string {
  switch (p.kind) {
    case 'missing-parent': return `${p.docId}: parent ${p.parentId} does not exist`;
    case 'lineage-mismatch': return `${p.docId}: stored lineage ${p.stored.join(' > ')} disagrees with its parent's own lineage ${p.parentLineage.join(' > ')}`;
    case 'missing-contact': return `${p.docId}: contact ${p.contactId} does not exist`;
    case 'duplicate-user-settings': return `user ${p.name} has several user-settings: ${p.docIds.join(', ')}`;
  }
}

/** Runs the validate command; the caller sets the exit code from the result. */
export async function validate(url: string, options: ValidateOptions, mode: OutputMode, log: (line: string) => void): Promise<ValidateResult> {
  const schema = options.schema === 'auto' ? (options.db === PHR_DATABASE ? 'phr' : 'cht') : options.schema;
  if (schema !== 'cht' && schema !== 'phr') throw new CliError(`unknown schema ${options.schema} (cht, phr or auto)`);
  const { server } = await connect(url);
  const info = await server.db.get(options.db).catch((err: { statusCode?: number }) => {
    throw new CliError(err.statusCode === 404 ? `database ${options.db} does not exist` : `cannot read database ${options.db}`);
  });
  const db = server.use<Record<string, unknown>>(options.db);
  const progress = startProgress(mode, `validating ${options.db}`, info.doc_count, log);
  const kinds: Record<string, number> = {};
  const invalid: Array<{ id: string; problems: readonly DecodeProblem[] }> = [];
  const checker = createConsistencyChecker();
  let documents = 0;
  let startkey: string | undefined;
  for (;;) {
    const page = await db.list({ include_docs: true, limit: PAGE + (startkey === undefined ? 0 : 1), ...(startkey === undefined ? {} : { startkey }) });
    const rows = startkey === undefined ? page.rows : page.rows.slice(1);
    for (const row of rows) {
      if (row.id.startsWith('_design/') || !row.doc) continue;
      documents += 1;
      const result = schema === 'phr' ? decodePhrDoc(row.doc) : decodeDoc(row.doc);
      if (isLeft(result)) {
        invalid.push({ id: row.id, problems: result.left });
        kinds['invalid'] = (kinds['invalid'] ?? 0) + 1;
      } else {
        const kind = 'kind' in result.right ? result.right.kind : result.right.collection.name;
        kinds[kind] = (kinds[kind] ?? 0) + 1;
      }
      if (schema === 'cht') checker.add(row.doc);
    }
    progress.advance(rows.length);
    if (rows.length < PAGE) break;
    startkey = page.rows[page.rows.length - 1]?.id;
  }
  const crossDocument = checker.problems();
  progress.done(`read ${documents} documents of ${options.db}`);
  if (mode !== 'json') {
    log(`kinds: ${Object.entries(kinds).sort().map(([k, n]) => `${k}=${n}`).join(' ')}`);
    for (const bad of invalid) for (const p of bad.problems) log(`invalid ${bad.id}: ${p.path || '(document)'}: expected ${p.expected}, found ${p.found}`);
    for (const p of crossDocument) log(`inconsistent ${describeCross(p)}`);
    log(invalid.length + crossDocument.length === 0 ? 'all documents are valid' : `${invalid.length} invalid documents, ${crossDocument.length} cross-document problems`);
  }
  return { db: options.db, schema, documents, kinds, invalid, crossDocument };
}
