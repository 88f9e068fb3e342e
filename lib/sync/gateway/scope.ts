/** What every gateway endpoint works with: the database served, with its rules, and who is asking. */
import type { AccessRules, SyncUser } from '../rules.js';

/** One database the gateway serves, with its rules. Build it with {@link gatewayDatabase}. */
export interface GatewayDatabase {
  readonly rules: AccessRules<unknown>;
  /** Design docs every user pulls (e.g. the client app's), by id. */
  readonly clientDesignDocs: readonly string[];
}

/** Pairs a database's rules with the design docs its clients pull. */
export function gatewayDatabase<Context>(rules: AccessRules<Context>, clientDesignDocs: readonly string[] = []): GatewayDatabase {
  // The gateway only ever hands a context back to the rules that built it.
  return { rules: rules, clientDesignDocs };
}

/** One authenticated request on one served database. */
export interface RequestScope {
  readonly user: SyncUser;
  readonly db: string;
  readonly served: GatewayDatabase;
  /** What the request log records about the documents the endpoint dealt in. */
  readonly log: { docs?: number };
}
