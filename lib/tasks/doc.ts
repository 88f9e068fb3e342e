/**
 * Task documents from emissions: `_id` `task~<user>~<emission id>~<authoredOn>`, the user who
 * calculated it, the requester (whose data produced it), the owner (whom it is about) and the
 * minified emission. The timestamp in the id means two devices never write the same document; the
 * lifecycle resolves the resulting duplicates.
 */
import { taskId } from '../codecs/index.js';
import type { ContactId, TaskDoc, UserSettingsId } from '../codecs/index.js';
import type { Emission, StoredAction, StoredEmission } from './emission.js';
import { isTerminal, withState } from './state.js';
import type { EmissionState } from './state.js';
import type { TaskWindow } from './window.js';

function defined<T extends object>(entries: T): T {
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The stored form of an emission: `_id`, the display fields that were emitted, the contact's name
 * only, the window as dates, and `forId` taken from the first action whose content names a contact
 * (that contact is dropped from the stored actions: it would copy a whole hydrated contact onto every task).
 */
export function minifyEmission(emission: Emission, window: TaskWindow | undefined): StoredEmission {
  let forId: string | undefined;
  const actions = emission.actions?.map((action): StoredAction => {
    if (action.content === undefined) return defined({ ...action });
    const { contact, ...content } = action.content;
    if (forId === undefined && typeof contact?._id === 'string' && contact._id !== '') forId = contact._id;
    return defined({ ...action, content });
  });
  return defined({
    _id: emission._id,
    title: emission.title,
    icon: emission.icon,
    deleted: emission.deleted,
    resolved: emission.resolved,
    actions,
    priority: emission.priority,
    priorityLabel: emission.priorityLabel,
    contact: emission.contact ? defined({ name: emission.contact.name }) : undefined,
    forId,
    ...(window ?? {}),
  }) as StoredEmission;
}

/** The owner of an emission: the `_id` of its contact, or the requester when the emission names no contact (a `contactLabel`). */
export function ownerOf(emission: Emission, requester: ContactId): ContactId {
  const id = emission.contact?._id;
  return typeof id === 'string' && id !== '' ? (id as ContactId) : requester;
}

/** What a calculation says about one task: who, what, and its state. */
export interface TaskFacts {
  readonly user: UserSettingsId;
  readonly requester: ContactId;
  readonly owner: ContactId;
  readonly emission: StoredEmission;
  readonly state: EmissionState;
}

/**
 * A new task document for `facts`, authored at `at`. It starts with an empty history, so the first
 * state is recorded at `at`.
 */
export function newTaskDoc(facts: TaskFacts, at: number): TaskDoc {
  const blank: TaskDoc = {
    _id: taskId({ user: facts.user, emissionId: facts.emission._id, authoredOn: at }),
    type: 'task',
    authoredOn: at,
    user: facts.user,
    requester: facts.requester,
    owner: facts.owner,
    state: 'Draft',
    emission: facts.emission,
    stateHistory: [],
  };
  return withState(blank, facts.state, at);
}

/**
 * `base` (an existing live document) brought up to date with `facts` at `at`; `_id`, `_rev` and
 * `authoredOn` stay. A terminal state recorded after `at` (by a clock ahead of this one) is undone:
 * the history entries after `at` are dropped before the state is set.
 */
export function updatedTaskDoc(base: TaskDoc, facts: TaskFacts, at: number): TaskDoc {
  const reopened = isTerminal(base.state) && base.stateHistory.some((entry) => entry.timestamp > at);
  const stateHistory = reopened ? base.stateHistory.filter((entry) => entry.timestamp <= at) : base.stateHistory;
  const refreshed: TaskDoc = { ...base, user: facts.user, requester: facts.requester, owner: facts.owner, emission: facts.emission, stateHistory };
  return withState(refreshed, facts.state, at);
}
