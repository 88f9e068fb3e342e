/**
 * The server side of fieldsync (gateway, embedded server, CLI) needs the optional peer dependencies a
 * browser app never installs; the CLI names the missing ones before it loads anything that needs them.
 */
import { createRequire } from 'node:module';

/** What the CLI reads of fieldsync's own package.json. */
export interface OwnManifest {
  readonly version: string;
  readonly peerDependencies?: Readonly<Record<string, string>>;
}

/** fieldsync's package.json (two levels above both `lib/cli/` and `dist/cli/`). */
export function ownManifest(): OwnManifest {
  return createRequire(import.meta.url)('../../package.json') as OwnManifest;
}

/**
 * The peer dependencies `resolve` cannot find (it throws `MODULE_NOT_FOUND`), with their version ranges.
 * Any other failure (a package that does not export its package.json) means the package is there.
 */
export function missingPeers(manifest: OwnManifest, resolve: (name: string) => unknown): string[] {
  return Object.entries(manifest.peerDependencies ?? {}).flatMap(([name, range]) => {
    try {
      resolve(name);
      return [];
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND' ? [`${name}@${range}`] : [];
    }
  });
}

/** The one line printed when peers are missing: what to install. */
export function missingPeersMessage(missing: readonly string[]): string {
  return `the fieldsync command needs the server packages, install them next to fieldsync: npm install ${missing.map((m) => `'${m}'`).join(' ')}`;
}
