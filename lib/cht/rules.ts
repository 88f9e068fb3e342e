/**
 * CHT access rules: a user sees the contacts of their facilities down to a depth set per role, the
 * reports about those contacts (or written by them when a report has no subject, or by someone below
 * them when it needs signoff), minus private reports about their own place by someone they do not
 * see, their own tasks and user-settings, the targets of contacts they see, and public docs. Writes
 * must be visible to the writer both as stored and as sent, so nobody takes a document by rewriting
 * its lineage or owner.
 */
import { buildContext, readableKeys } from './context.js';
import type { ChtContext } from './context.js';
import { chtDesignDoc, CHT_DESIGN_ID } from './design.js';
import { writeFacts } from './facts.js';
import type { ChtFacts } from './facts.js';
import { chtReadByContexts, chtReplicationKeys, chtRoutingKeys, DEFAULT_PUBLIC_DOCS } from './keys.js';
import type { PublicDocs } from './keys.js';
import { checkWrites } from './writes.js';
import type { AccessRules } from '../sync/rules.js';

/** Options of {@link chtAccessRules}. */
export interface ChtRulesOptions {
  /**
   * How many levels below each facility a role sees (0: the facility only); the largest among a
   * user's roles wins; a negative number means no limit. Roles not listed use `defaultDepth`.
   */
  readonly depthByRole?: Readonly<Record<string, number>>;
  /** Depth for roles not in `depthByRole` (default: no limit). */
  readonly defaultDepth?: number;
  /** Documents everybody reads and only admins write. */
  readonly publicDocs?: PublicDocs;
}

/** The CHT access rules, for the sync gateway and for a client predicting a rejection. */
export function chtAccessRules(options: ChtRulesOptions = {}): AccessRules<ChtContext, ChtFacts> {
  const publicDocs = options.publicDocs ?? DEFAULT_PUBLIC_DOCS;
  return {
    designDocId: CHT_DESIGN_ID,
    designDoc: () => chtDesignDoc(publicDocs),
    replicationKeys: (doc) => chtReplicationKeys(doc, publicDocs),
    routingKeys: chtRoutingKeys,
    readByContexts: chtReadByContexts,
    context: (user, query) => buildContext(user, query, options),
    readableKeys: (context) => [...readableKeys(context)],
    writeFacts,
    checkWrites: (docs, stored, context, facts) => checkWrites(docs, stored, context, facts, publicDocs),
  };
}
