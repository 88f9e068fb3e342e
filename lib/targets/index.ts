/**
 * Targets: reporting periods, target emissions counted per definition (incrementally), the target
 * document to write, and supervisor aggregates. Pure functions with `now` passed in.
 */
export { periodBounds, previousReportingPeriod, reportingPeriod } from './period.js';
export { startOfLocalDay } from '../tasks/calendar.js';
export type { ReportingPeriod } from './period.js';
export { percentOf } from './emission.js';
export type { TargetEmission, TargetSettings } from './emission.js';
export { countTargets, TargetStore } from './store.js';
export type { CountedRange, TargetUpdate } from './store.js';
export type { TargetClock, TargetDate } from './date.js';
export { targetDefinitionProblems, targetRule } from './definition.js';
export type { TargetContext, TargetDefinition, TargetDefinitions, TargetRuleOptions } from './definition.js';
export { targetDocToWrite } from './doc.js';
export type { TargetDocInput } from './doc.js';
export { aggregateTargets, superviseesOf } from './supervisor.js';
export type { TargetAggregate } from './supervisor.js';
export { FieldsyncTargetError, formatTargetProblem } from './errors.js';
export type { TargetProblem } from './errors.js';
