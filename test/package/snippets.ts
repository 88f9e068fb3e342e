/**
 * The ```ts blocks of README.md and docs/*.md, as the snippet test compiles them. An HTML comment right
 * above a block, invisible on the page, says what the reader is assumed to have:
 *
 * - `<!-- snippet: declare const db: PouchDB.Database; -->`: code put before the block (declarations of
 *   what the block names but does not create); the block is type-checked.
 * - `<!-- snippet: run ... -->`: the code after `run` creates everything the block uses; the block is
 *   type-checked and then run with Node.
 * - `<!-- snippet: file types/x.d.ts -->`: the block is a file of the reader's project, written as is.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One block and how the test treats it. */
export interface Snippet {
  /** `docs/lineage.md:8`: where the block starts. */
  readonly source: string;
  /** File name in the test project. */
  readonly file: string;
  readonly code: string;
  readonly run: boolean;
}

const BLOCK = /(?:<!-- snippet:([\s\S]*?)-->\n)?```ts\n([\s\S]*?)\n```/g;

/** The markdown files whose blocks are checked: README.md and docs/*.md. */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => path.join('docs', f));
  return ['README.md', ...docs.sort()];
}

/** Every ```ts block of one markdown text. */
export function snippetsOf(name: string, markdown: string): Snippet[] {
  const found: Snippet[] = [];
  for (const match of markdown.matchAll(BLOCK)) {
    const line = markdown.slice(0, match.index).split('\n').length + (match[1] === undefined ? 0 : match[1].split('\n').length);
    const header = (match[1] ?? '').trim();
    const code = match[2] ?? '';
    const source = `${name}:${line}`;
    const asFile = /^file\s+(\S+)$/.exec(header);
    if (asFile?.[1]) {
      found.push({ source, file: asFile[1], code, run: false });
      continue;
    }
    const run = /^run\b/.test(header);
    const prelude = run ? header.replace(/^run\b/, '') : header;
    const file = `snippets/${name.replace(/[/.]/g, '-')}-${line}.ts`;
    found.push({ source, file, code: `// ${source}\n${prelude.trim()}\n${code}\nexport {};\n`, run });
  }
  return found;
}

/** All blocks of README.md and docs/*.md. */
export function allSnippets(root: string): Snippet[] {
  return markdownFiles(root).flatMap((name) => snippetsOf(name, readFileSync(path.join(root, name), 'utf8')));
}
