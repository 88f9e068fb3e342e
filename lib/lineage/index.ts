export { minify, minifyLineage, LineageTooDeepError, MINIFY_DEPTH_LIMIT } from './minify.js';
export type { MinifiedRef } from './minify.js';
export { hydrate, hydrateByIds } from './hydrate.js';
export type { HydrateOptions, HydrateResult } from './hydrate.js';
export { LineageNotFoundError } from './problems.js';
export type { Hydrated, HydratedContact, HydratedFields } from './hydrated.js';
export type { LineageProblem } from './problems.js';
export { CONTACT_TYPES, chainIds, isContact, isReport, reportSubjects } from './shapes.js';
export type { Json, ReportSubjects } from './shapes.js';
