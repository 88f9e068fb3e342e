export type { ContactLookup, DocSource, FetchResult, SourceStats, StoredDoc } from './types.js';
export { pouchSource, installShortcodeIndex } from './pouchdb.js';
export type { PouchLike, PouchSourceOptions } from './pouchdb.js';
export { LINEAGE_VIEW, SHORTCODE_DESIGN_ID, SHORTCODE_VIEW, ShortcodeIndexMissingError, shortcodeDesignDoc } from './shortcode-index.js';
