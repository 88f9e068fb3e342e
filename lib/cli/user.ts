/**
 * `fieldsync user add`: an admin makes an account. Nobody signs up on their own (the CouchDB API
 * answers admins only), so this is how users come to exist: the `_users` record (the server hashes
 * the password) and, when a place or person is given, the CHT `user-settings` record in `medic`.
 */
import { isLeft } from '../codecs/either.js';
import type { ServerScope } from 'nano';
import { UserName, UserSettingsDoc } from '../codecs/index.js';
import { connect, ensureDb } from './couch.js';
import { CliError } from './output.js';

/** Options of `user add` as commander parses them. */
export interface UserAddOptions {
  /** The password; FIELDSYNC_USER_PASSWORD when omitted (keeps it out of the process list). */
  readonly password?: string;
  /** Comma-separated roles, e.g. `chw` or `chw,supervisor`. */
  readonly roles?: string;
  /** The place (`facility_id`) of the user's CHT user-settings. */
  readonly facility?: string;
  /** The person (`contact_id`) of the user's CHT user-settings. */
  readonly contact?: string;
  /** The database of the user-settings record. */
  readonly db: string;
}

/** What `user add` wrote. */
export interface UserAddResult {
  readonly name: string;
  readonly roles: readonly string[];
  /** The database the user-settings record went to, when one was written. */
  readonly settingsDb?: string;
}

function parseRoles(text: string | undefined): string[] {
  const roles = (text ?? '').split(',').map((r) => r.trim()).filter((r) => r.length > 0);
  const system = roles.find((r) => r.startsWith('_'));
  if (system) throw new CliError(`role ${system} is reserved (roles starting with _ belong to CouchDB)`);
  return [...new Set(roles)];
}

async function exists(server: ServerScope, db: string, id: string): Promise<boolean> {
  try {
    await server.use(db).head(id);
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** Builds the user-settings record, checked by its codec. */
function settingsDoc(name: string, roles: readonly string[], options: UserAddOptions): Record<string, unknown> {
  const doc = {
    _id: `org.couchdb.user:${name}`, type: 'user-settings', name, roles: [...roles],
    ...(options.facility ? { facility_id: options.facility } : {}), ...(options.contact ? { contact_id: options.contact } : {}),
  };
  if (isLeft(UserSettingsDoc.decode(doc))) throw new CliError(`not a valid user-settings record: ${JSON.stringify(doc)}`);
  return doc;
}

/**
 * Runs `user add`: checks everything first, then writes the `_users` record and the user-settings.
 * @throws CliError for a bad name, password or role, a user that exists, or credentials that are not an admin's.
 */
export async function userAdd(url: string, name: string, options: UserAddOptions, env: NodeJS.ProcessEnv): Promise<UserAddResult> {
  if (isLeft(UserName.decode(name)) || name.startsWith('_') || name.includes(':')) throw new CliError(`invalid user name: ${JSON.stringify(name)}`);
  const password = options.password ?? env['FIELDSYNC_USER_PASSWORD'];
  if (!password) throw new CliError('a password is required (--password, or FIELDSYNC_USER_PASSWORD)');
  const roles = parseRoles(options.roles);
  const withSettings = options.facility !== undefined || options.contact !== undefined;
  const settings = withSettings ? settingsDoc(name, roles, options) : undefined;
  const { server, displayUrl } = await connect(url);
  const session = (await server.session()) as { userCtx: { roles?: readonly string[] } };
  if (!session.userCtx.roles?.includes('_admin')) throw new CliError(`${displayUrl}: only a server admin makes accounts`);
  await ensureDb(server, '_users');
  const id = `org.couchdb.user:${name}`;
  if (await exists(server, '_users', id)) throw new CliError(`user ${name} already exists`);
  if (settings) {
    await server.db.get(options.db).catch(() => { throw new CliError(`database ${options.db} does not exist (for the user-settings)`); });
    if (await exists(server, options.db, id)) throw new CliError(`${options.db} already has user-settings for ${name}`);
  }
  await server.use('_users').insert({ _id: id, type: 'user', name, roles, password } as never);
  if (settings) await server.use(options.db).insert(settings);
  return { name, roles, ...(settings ? { settingsDb: options.db } : {}) };
}
