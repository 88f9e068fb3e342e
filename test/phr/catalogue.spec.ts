import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import Nano from 'nano';
import { formatProblems } from '../../lib/codecs/index.js';
import { COMMON_COLLECTIONS, decodePhrDoc, PHR_CATALOGUE, phrCatalogue } from '../../lib/phr/index.js';
import { phrDesignDoc } from '../../lib/phr/design.js';
import { phrAccessRules, phrReplicationKeys } from '../../lib/phr/rules.js';
import type { AnyDoc } from '../../lib/sync/rules.js';
import { memberWriter } from '../support/member-writes.js';
import { testCouch } from '../support/server.js';
import { sampleDoc } from './data.js';

const SPEC_COLLECTIONS = ['abdmtxnidstorages', 'accesstokens', 'appusers', 'carts', 'chatmessages', 'coupons', 'deliveryaddresses', 'discoverlinkingdatastorages', 'fcmtokens', 'fhirdocumenpoints', 'generateverifyotps', 'healthprofile', 'hiuconsents', 'hiuhealthdatas', 'hiukeys', 'linktokenphrs', 'myhealths', 'newcarts', 'neworders', 'notifications', 'pricings', 'providercarts', 'providerorders', 'rewardbalances', 'rewardconfigs', 'rewards', 'rewardsettings', 'rewardsfaqs', 'storescanshares', 'userautoapprovals', 'userbooklabtests', 'userprofiles', 'usersubscriptions', 'useruploadrecordphrs', 'uservitalassessments'];

describe('PHR catalogue', () => {
  it('names every collection of the spec, and only those', () => {
    assert.equal(SPEC_COLLECTIONS.length, 35);
    assert.deepEqual([...PHR_CATALOGUE.keys()].sort(), [...SPEC_COLLECTIONS].sort());
  });

  it('keeps keys, tokens, OTPs and protocol state on the server', () => {
    for (const name of ['hiukeys', 'accesstokens', 'generateverifyotps', 'linktokenphrs', 'fcmtokens', 'abdmtxnidstorages', 'discoverlinkingdatastorages']) {
      assert.equal(PHR_CATALOGUE.get(name)?.policy, 'server-only', name);
    }
    for (const name of ['coupons', 'pricings', 'rewardconfigs', 'rewardsettings', 'rewardsfaqs']) assert.equal(PHR_CATALOGUE.get(name)?.policy, 'catalogue', name);
    for (const name of ['carts', 'deliveryaddresses', 'notifications', 'useruploadrecordphrs']) assert.equal(PHR_CATALOGUE.get(name)?.push, true, name);
    for (const name of ['neworders', 'rewardbalances', 'hiuhealthdatas']) assert.equal(PHR_CATALOGUE.get(name)?.push, false, `${name} is written by the server`);
  });

  it('lets an app override a policy without touching the default', () => {
    const custom = phrCatalogue({ neworders: { push: true }, fcmtokens: { policy: 'owned', push: true } });
    assert.equal(custom.get('neworders')?.push, true);
    assert.equal(custom.get('fcmtokens')?.ownerField, 'owner');
    assert.equal(PHR_CATALOGUE.get('neworders')?.push, false);
    assert.deepEqual([...COMMON_COLLECTIONS], ['abdmtxnidstorages', 'accesstokens']);
  });
});

describe('PHR codecs', () => {
  it('decodes a sample of every collection and encodes it back unchanged, unknown fields kept', () => {
    for (const info of PHR_CATALOGUE.values()) {
      const doc = { ...sampleDoc(info.name, 'u1', 1), addedByNewerApp: { x: [1] } };
      const result = decodePhrDoc(doc);
      if (isLeft(result)) assert.fail(formatProblems(result.left));
      assert.equal(result.right.collection.name, info.name);
      assert.deepEqual(info.codec.encode(result.right.doc), doc);
    }
  });

  it('rejects what each description names, at its path, with the document id', () => {
    const table: Array<[string, Record<string, unknown>, string]> = [
      ['appusers', { phone: '' }, 'phone'],
      ['carts', { lines: [{ itemId: 'x', quantity: 0 }] }, 'lines[0].quantity'],
      ['neworders', { status: undefined }, 'status'],
      ['rewardbalances', { points: -5 }, 'points'],
      ['generateverifyotps', { expiresAt: 'tomorrow' }, 'expiresAt'],
      ['hiuconsents', { status: 42 }, 'status'],
      ['deliveryaddresses', { owner: '' }, 'owner'],
      ['pricings', { price: 'free' }, 'price'],
    ];
    for (const [collection, change, path] of table) {
      const doc = { ...sampleDoc(collection, 'u1', 1), ...change };
      const result = decodePhrDoc(doc);
      assert.ok(isLeft(result), collection);
      assert.ok(result.left.some((p) => p.path === path && p.docId === doc._id), `${collection}: ${formatProblems(result.left)}`);
    }
    assert.ok(isLeft(decodePhrDoc({ _id: 'x', type: 'unknowncollection' })));
  });

  it('round-trips generated documents and never throws on junk', () => {
    const names = [...PHR_CATALOGUE.keys()];
    fc.assert(fc.property(fc.constantFrom(...names), fc.dictionary(fc.stringMatching(/^x_[a-z]{1,6}$/), fc.jsonValue()), fc.nat(), (name, extra, n) => {
      const doc = { ...sampleDoc(name, `user-${n}`, n), ...extra };
      const result = decodePhrDoc(doc);
      assert.ok(isRight(result));
      assert.deepEqual(PHR_CATALOGUE.get(name)?.codec.encode(result.right.doc), doc);
    }), { numRuns: 300 });
    fc.assert(fc.property(fc.anything(), (junk) => { decodePhrDoc(junk); }), { numRuns: 500 });
  });
});

type Emitted = Array<[unknown, unknown]>;
function runMap(source: string, doc: AnyDoc): Emitted {
  const out: Emitted = [];
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- our own generated view code
  (new Function('emit', `return (${source});`)((k: unknown, v: unknown) => out.push([k, v])) as (d: AnyDoc) => void)(doc);
  return out;
}
function runValidate(source: string, newDoc: AnyDoc, oldDoc: AnyDoc | null, name: string): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- our own generated validation code
  const validate = new Function(`return (${source});`)() as (n: AnyDoc, o: AnyDoc | null, u: unknown, s: unknown) => void;
  try { validate(newDoc, oldDoc, { name, roles: [] }, { admins: {}, members: {} }); return undefined; } catch (err) { return (err as { forbidden?: string }).forbidden ?? 'threw'; }
}

describe('PHR access rules', () => {
  const rules = phrAccessRules();
  const design = phrDesignDoc(PHR_CATALOGUE) as AnyDoc & { views: { replication_keys: { map: string } }; validate_doc_update: string };

  it('files owned docs under their owner, catalogue docs under one key, secrets under none; the view agrees', () => {
    for (const info of PHR_CATALOGUE.values()) {
      const doc = { ...sampleDoc(info.name, 'u1', 1), _rev: '1-a' };
      const keys = phrReplicationKeys(doc, PHR_CATALOGUE);
      const expected = info.policy === 'owned' ? ['phr:owner:u1'] : info.policy === 'catalogue' ? ['phr:catalogue'] : [];
      assert.deepEqual(keys, expected, info.name);
      assert.deepEqual(runMap(design.views.replication_keys.map, doc), expected.map((k) => [k, '1-a']), `view: ${info.name}`);
      const conflicted = { ...doc, _conflicts: ['1-b'] };
      assert.deepEqual(runMap(design.views.replication_keys.map, conflicted), expected.map((k) => [k, { rev: '1-a', conflicts: ['1-b'] }]), `view with a conflict: ${info.name}`);
    }
  });

  it('judges writes from the document, the stored version and the writer, and the validate_doc_update agrees', () => {
    const me = { owner: 'u1' };
    const cart = sampleDoc('carts', 'u1', 1);
    const table: Array<[string, AnyDoc, AnyDoc | undefined, RegExp | undefined]> = [
      ['my cart', cart, undefined, undefined],
      ['my cart, edited', { ...cart, lines: [] }, cart, undefined],
      ['a cart for someone else', sampleDoc('carts', 'u2', 1), undefined, /own app user id/],
      ['taking a cart by rewriting its owner', { ...sampleDoc('carts', 'u2', 1), owner: 'u1' }, sampleDoc('carts', 'u2', 1), /someone else/],
      ['giving my address away', { ...sampleDoc('deliveryaddresses', 'u1', 1), owner: 'u2' }, sampleDoc('deliveryaddresses', 'u1', 1), /own app user id/],
      ['a key', sampleDoc('hiukeys', 'u1', 1), undefined, /never leaves the server/],
      ['a price', sampleDoc('pricings', 'shared', 1), undefined, /shared reference data/],
      ['an order', sampleDoc('neworders', 'u1', 1), undefined, /written by the server only/],
      ['moving a cart to orders', { ...cart, type: 'neworders' }, cart, /server only|another collection/],
      ['deleting my cart', { _id: cart._id, _deleted: true }, cart, undefined],
    ];
    for (const [name, doc, stored, reason] of table) {
      const [verdict] = rules.checkWrites([doc], new Map(stored ? [[doc._id, stored]] : []), me, undefined);
      if (reason) assert.match(verdict?.reason ?? 'accepted', reason, name);
      else assert.equal(verdict, undefined, name);
      const vdu = runValidate(design.validate_doc_update, doc, stored ?? null, 'u1');
      assert.equal(vdu === undefined, reason === undefined, `validate_doc_update on ${name}: ${vdu ?? 'accepted'}`);
    }
    assert.match(rules.checkWrites([{ ...cart, lines: 'many' }], new Map(), me, undefined)[0]?.reason ?? '', /not a valid carts document: .*lines/);
  });

  it('applies the validate_doc_update to direct writes on the server', async () => {
    const couch = await testCouch();
    const db = couch.uniqueDbName('phr-vdu');
    const admin = Nano(couch.adminUrl);
    await admin.db.create(db);
    await admin.use(db).insert(design);
    const name = `app-${db.split('-').slice(-2).join('')}`;
    await admin.db.create('_users').catch(() => undefined);
    await admin.use('_users').insert({ _id: `org.couchdb.user:${name}`, type: 'user', name, password: 'pw', roles: [] } as never);
    await admin.request({ db, method: 'PUT', path: '_security', body: { admins: { names: [], roles: [] }, members: { names: [name], roles: [] } } });
    const asUser = await memberWriter(couch, db, { name, password: 'pw', roles: [] });
    await asUser.insert(sampleDoc('carts', name, 1));
    for (const forged of [sampleDoc('carts', 'someone', 1), sampleDoc('hiukeys', name, 1), sampleDoc('pricings', 'shared', 1)]) {
      await assert.rejects(asUser.insert(forged), (err: { statusCode?: number }) => err.statusCode === 403, forged._id);
    }
    await admin.db.destroy(db);
  });
});
