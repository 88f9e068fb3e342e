import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PHR_CATALOGUE } from '../../lib/phr/index.js';

describe('docs/phr.md', () => {
  it('shows the catalogue exactly as the code has it', () => {
    const text = readFileSync(path.resolve(import.meta.dirname, '..', '..', 'docs', 'phr.md'), 'utf8');
    for (const c of PHR_CATALOGUE.values()) {
      const row = `| \`${c.name}\` | ${c.description} | ${c.policy} | ${c.ownerField ? `\`${c.ownerField}\`` : '—'} | ${c.push ? 'yes' : 'no'} |`;
      assert.ok(text.includes(row), `row for ${c.name}`);
    }
  });
});
