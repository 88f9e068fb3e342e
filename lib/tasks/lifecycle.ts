/**
 * The task lifecycle: from a user's existing task documents and fresh emissions for some
 * requesters, exactly the documents to write. Only the requesters given are looked at, so a refresh
 * after one contact changed costs that contact alone.
 *
 * Per emission id of a refreshed requester:
 * - live duplicates (several Draft/Ready documents) keep the most ready, then newest; the others
 *   are Cancelled with reason `duplicate`;
 * - a live document is brought up to date (state, emission, owner); written only if it changed;
 * - a live document whose emission is no longer emitted is Cancelled;
 * - terminal documents never change: a calculation that disagrees with the newest terminal
 *   document makes a new document, but only for a timely emission whose state is not Cancelled
 *   (no document is created just to be cancelled);
 * - clocks differ between devices, so `authoredOn` never hides a document: documents authored after
 *   `now` compete like the others, and a terminal state recorded after `now` is not final here (the
 *   document counts as live and this calculation applies to it).
 */
import { taskId } from '../codecs/index.js';
import type { CalendarDate, ContactId, TaskDoc, TaskState, UserSettingsId } from '../codecs/index.js';
import { calendarDates } from './calendar.js';
import type { CalendarDates } from './calendar.js';
import { FieldsyncTaskError } from './errors.js';
import { minifyEmission, newTaskDoc, ownerOf, updatedTaskDoc } from './doc.js';
import type { TaskFacts } from './doc.js';
import { sortEmissionDocs } from './duplicates.js';
import type { Emission } from './emission.js';
import { indexTaskDocs } from './index-docs.js';
import type { TaskDocIndex } from './index-docs.js';
import { sameJson } from './same.js';
import { readiness, stateFor, withState } from './state.js';
import type { EmissionState } from './state.js';
import { DEFAULT_TIMELY, displayWindow, isTimely } from './window.js';
import type { TaskWindow, TimelyWindow } from './window.js';

/** The input of one refresh. */
export interface TaskRefresh {
  /** The user-settings id of the user calculating (`org.couchdb.user:<name>`). */
  readonly user: UserSettingsId;
  /** The time of the calculation (ms). */
  readonly now: number;
  /** Fresh emissions of each refreshed requester; a requester with an empty list emits nothing (its live tasks are cancelled). */
  readonly emissions: ReadonlyMap<ContactId, readonly Emission[]>;
  /** The user's existing task documents: indexed by requester (see {@link indexTaskDocs}) or a plain list. */
  readonly existing: TaskDocIndex | readonly TaskDoc[];
  /** IANA time zone for calendar dates; the device's when omitted. Ignored when `dates` is given. */
  readonly timeZone?: string;
  /** A prebuilt date converter (saves building one per refresh). */
  readonly dates?: CalendarDates;
  /** Which emissions get new documents; CHT's 60/180 days when omitted. */
  readonly timely?: TimelyWindow;
}

/** Counts of what a refresh decided. */
export interface TaskRefreshStats {
  /** Requesters refreshed. */
  readonly requesters: number;
  /** Distinct emissions considered (after merging emissions with the same id). */
  readonly emissions: number;
  /** New documents. */
  readonly created: number;
  /** Live documents changed by their emission (state, dates, labels). */
  readonly updated: number;
  /** Live documents cancelled because their requester no longer emits them. */
  readonly cancelled: number;
  /** Live documents cancelled as duplicates. */
  readonly duplicates: number;
}

/** The result of one refresh: the documents to write (new ones without `_rev`), and counts. */
export interface TaskRefreshPlan {
  /** A mutable array, as `bulkDocs` takes it. */
  readonly writes: TaskDoc[];
  readonly stats: TaskRefreshStats;
}

interface Calculated { readonly emission: Emission; readonly window: TaskWindow | undefined; readonly state: EmissionState; readonly timely: boolean }

/**
 * One calculation per emission id. One rule run may emit an id twice (e.g. two reports that both
 * schedule it): as cht-core filters by timeliness before it picks the most ready, a timely emission
 * always wins over an untimely one; then the most ready, then the first.
 */
function calculate(emissions: readonly Emission[], dates: CalendarDates, now: number, today: CalendarDate, limits: TimelyWindow): Map<string, Calculated> {
  const byId = new Map<string, Calculated>();
  for (const emission of emissions) {
    const window = displayWindow(emission, dates);
    const state = stateFor(emission, window, today);
    const timely = isTimely(window, now, dates, limits);
    const seen = byId.get(emission._id);
    const better = seen === undefined || (timely && !seen.timely) || (timely === seen.timely && readiness(state) < readiness(seen.state));
    if (better) byId.set(emission._id, { emission, window, state, timely });
  }
  return byId;
}

function stored(state: EmissionState): TaskState {
  return state === 'invalid' ? 'Cancelled' : state;
}

/**
 * The documents to write for one refresh.
 * @throws {@link FieldsyncTaskError} `invalid-time-zone` when `timeZone` is not known to the runtime,
 *   `invalid-now` when `now` is not a representable time.
 */
export function planTaskWrites(input: TaskRefresh): TaskRefreshPlan {
  const { user, now } = input;
  const dates = input.dates ?? calendarDates(input.timeZone);
  const today = dates.dateOf(now);
  if (today === undefined) throw new FieldsyncTaskError([{ kind: 'invalid-now', now }]);
  const limits = input.timely ?? DEFAULT_TIMELY;
  const index = Array.isArray(input.existing) ? indexTaskDocs(input.existing as readonly TaskDoc[]) : (input.existing as TaskDocIndex);
  const writes: TaskDoc[] = [];
  let emissionCount = 0;
  let created = 0;
  let updated = 0;
  let cancelled = 0;
  let duplicates = 0;

  for (const [requester, emissions] of input.emissions) {
    const docs = index.get(requester) ?? [];
    const takenIds = new Set(docs.map((d) => d._id as string));
    const byEmission = new Map<string, TaskDoc[]>();
    for (const doc of docs) {
      // Every document competes, whatever its authoredOn: another device's clock may be ahead of this one.
      const group = byEmission.get(doc.emission._id);
      if (group) group.push(doc);
      else byEmission.set(doc.emission._id, [doc]);
    }
    const fresh = calculate(emissions, dates, now, today, limits);
    emissionCount += fresh.size;

    for (const emissionId of new Set([...byEmission.keys(), ...fresh.keys()])) {
      const sorted = sortEmissionDocs(byEmission.get(emissionId) ?? [], now);
      for (const dup of sorted.duplicates) {
        writes.push(withState(dup, 'Cancelled', now, 'duplicate'));
        duplicates++;
      }
      const calc = fresh.get(emissionId);
      if (calc === undefined) {
        if (sorted.live) {
          writes.push(withState(sorted.live, 'Cancelled', now));
          cancelled++;
        }
        continue;
      }
      const facts: TaskFacts = {
        user,
        requester,
        owner: ownerOf(calc.emission, requester),
        emission: minifyEmission(calc.emission, calc.window),
        state: calc.state,
      };
      if (sorted.live) {
        const next = updatedTaskDoc(sorted.live, facts, now);
        if (!sameJson(next, sorted.live)) {
          writes.push(next);
          updated++;
        }
        continue;
      }
      if (sorted.latestTerminal?.state === stored(calc.state)) continue;
      if (stored(calc.state) === 'Cancelled' || !calc.timely) continue;
      // Within one millisecond the id would repeat; the next refresh makes the document instead.
      if (takenIds.has(taskId({ user, emissionId, authoredOn: now }))) continue;
      writes.push(newTaskDoc(facts, now));
      created++;
    }
  }
  return { writes, stats: { requesters: input.emissions.size, emissions: emissionCount, created, updated, cancelled, duplicates } };
}
