/**
 * Tasks: the task document state machine and lifecycle, pure functions with `now` and the time zone
 * passed in. Rules (functions or CHT `tasks.js` definitions) give emissions; {@link planTaskWrites}
 * turns them and the existing documents into exactly the documents to write.
 */
export { addDays, calendarDates, deviceTimeZone } from './calendar.js';
export type { CalendarDates, DateInput } from './calendar.js';
export { requestersOf } from './changed.js';
export type { ChangedDoc } from './changed.js';
export { chtConfigModule } from './cht-config.js';
export type { ChtConfigFiles, ChtConfigOptions, ChtGlobals } from './cht-config.js';
export { definitionRule } from './declarative.js';
export type { DefinitionRuleOptions, TaskDefinitions } from './declarative.js';
export { definitionProblems, resolvingForm } from './definition.js';
export type { ActionContent, DefinitionContext, TaskActionDefinition, TaskDefinition, TaskEventDefinition, TaskPriority } from './definition.js';
export { minifyEmission, newTaskDoc, ownerOf, updatedTaskDoc } from './doc.js';
export type { TaskFacts } from './doc.js';
export { compareMostReady, compareNewest, isFinal, sortEmissionDocs, stateRecordedAt } from './duplicates.js';
export type { EmissionDocs } from './duplicates.js';
export type { EmittedAction, Emission, StoredAction, StoredEmission } from './emission.js';
export { FieldsyncTaskError, formatTaskProblem } from './errors.js';
export type { TaskProblem } from './errors.js';
export { DEFAULT_MAX_AGE_MS, fingerprint, markFresh, refreshDue } from './freshness.js';
export type { FreshnessState, RefreshDue, RefreshDueOptions, RequesterFreshness, Versioned } from './freshness.js';
export { indexTaskDocs, withWrittenDocs } from './index-docs.js';
export type { TaskDocIndex } from './index-docs.js';
export { planTaskWrites } from './lifecycle.js';
export type { TaskRefresh, TaskRefreshPlan, TaskRefreshStats } from './lifecycle.js';
export { emissionsFor } from './rules.js';
export type { RuleContact, RuleReport, TaskRule, TaskSubject } from './rules.js';
export { emissionState, isTerminal, readiness, stateFor, TERMINAL_STATES, withState } from './state.js';
export type { EmissionState, StateReason } from './state.js';
export { ageTaskDocs } from './temporal.js';
export type { AgeOptions } from './temporal.js';
export { DEFAULT_TIMELY, displayWindow, isTimely } from './window.js';
export type { TaskWindow, TimelyWindow } from './window.js';
