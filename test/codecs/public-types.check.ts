/**
 * Type-level checks: the public types come from the runtime codecs, and the branded ids keep apart
 * what must not be mixed. Only `tsc` (`npm run typecheck`, the first step of npm test) checks them:
 * they assert nothing at run time, so this file is no mocha spec and counts as no passing test.
 */
import { expectTypeOf } from 'expect-type';
import type * as t from 'io-ts';
import type {
  ContactId, DecodedDoc, DocKind, FormDoc, Person, Place, Report, SyncEvents, TargetDoc, TaskDoc, TaskState, UserSettingsDoc, UserSettingsId,
} from '../../lib/index.js';
import type { FormDoc as FormCodec, Person as PersonCodec, Report as ReportCodec, TargetDoc as TargetCodec, TaskDoc as TaskCodec } from '../../lib/codecs/index.js';
import { createSyncClient, decodeDoc, hydrate, minify, planTaskWrites, targetDocToWrite, targetId, taskId } from '../../lib/index.js';
import type { AccessRules, Hydrated, HydratedContact, SyncClient } from '../../lib/index.js';
import { chtAccessRules } from '../../lib/server.js';
import type { ChtContext, ChtFacts } from '../../lib/server.js';

// Public types are the codecs' static types.
{
  expectTypeOf<Person>().toEqualTypeOf<t.TypeOf<typeof PersonCodec>>();
  expectTypeOf<Report>().toEqualTypeOf<t.TypeOf<typeof ReportCodec>>();
  expectTypeOf<FormDoc>().toEqualTypeOf<t.TypeOf<typeof FormCodec>>();
  expectTypeOf<TaskDoc>().toEqualTypeOf<t.TypeOf<typeof TaskCodec>>();
  expectTypeOf<TargetDoc>().toEqualTypeOf<t.TypeOf<typeof TargetCodec>>();
}

// Public types tell document kinds apart after decoding.
{
  expectTypeOf<DocKind>().toEqualTypeOf<'person' | 'place' | 'report' | 'form' | 'user' | 'user-settings' | 'task' | 'target' | 'deleted' | 'other'>();
  expectTypeOf<Extract<DecodedDoc, { kind: 'task' }>['doc']>().toEqualTypeOf<TaskDoc>();
  expectTypeOf<Extract<DecodedDoc, { kind: 'user-settings' }>['doc']>().toEqualTypeOf<UserSettingsDoc>();
  expectTypeOf<Extract<DecodedDoc, { kind: 'place' }>['doc']>().toEqualTypeOf<Place>();
  expectTypeOf<TaskDoc['state']>().toEqualTypeOf<TaskState>();
  expectTypeOf(decodeDoc).parameter(0).toBeUnknown();
}

// Public types keep branded ids apart.
{
  expectTypeOf<ContactId>().not.toEqualTypeOf<UserSettingsId>();
  expectTypeOf<string>().not.toExtend<ContactId>();
  expectTypeOf<ContactId>().toExtend<string>();
  expectTypeOf<Person['parent']['_id']>().toEqualTypeOf<ContactId>();
  expectTypeOf<TaskDoc['user']>().toEqualTypeOf<UserSettingsId>();
  // A contact id is not accepted where a user id is expected, nor the other way round.
  expectTypeOf<ContactId>().not.toExtend<UserSettingsId>();
  expectTypeOf<UserSettingsId>().not.toExtend<ContactId>();
  expectTypeOf(taskId).parameter(0).toHaveProperty('user').toEqualTypeOf<UserSettingsId>();
  expectTypeOf(targetId).parameter(0).toHaveProperty('owner').toEqualTypeOf<ContactId>();
}

// Public types give the public functions the signatures the docs show.
{
  expectTypeOf(createSyncClient).returns.toEqualTypeOf<SyncClient>();
  expectTypeOf(planTaskWrites).returns.toHaveProperty('writes').toEqualTypeOf<TaskDoc[]>();
  expectTypeOf(targetDocToWrite).returns.toEqualTypeOf<TargetDoc | undefined>();
  expectTypeOf(chtAccessRules).returns.toEqualTypeOf<AccessRules<ChtContext, ChtFacts>>();
}

// Public types keep lineage and sync generic over the caller's documents.
{
  type Mine = { readonly _id: string; readonly type: 'person'; readonly colour: string };
  expectTypeOf(minify<Mine>).returns.toEqualTypeOf<Mine>();
  expectTypeOf(hydrate<Mine>).returns.resolves.toHaveProperty('docs').toEqualTypeOf<Array<Hydrated<Mine>>>();
  // PouchDB's documents are interfaces without an index signature; hydrate and minify take them.
  expectTypeOf(hydrate<PouchDB.Core.ExistingDocument<{ type: 'person' }>>).parameter(0).toEqualTypeOf<ReadonlyArray<PouchDB.Core.ExistingDocument<{ type: 'person' }>>>();
  expectTypeOf<Hydrated<Mine>['parent']>().toEqualTypeOf<HydratedContact | undefined>();
  expectTypeOf<SyncEvents['progress']>().toEqualTypeOf<{ readonly phase: 'pull'; readonly done: number; readonly total: number }>();
}
