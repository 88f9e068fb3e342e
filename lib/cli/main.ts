#!/usr/bin/env node
/**
 * The `fieldsync` command line. It checks the optional server peers first, so an install without them
 * gets the npm command to run instead of a module-not-found stack trace; then it loads the commands.
 */
import { createRequire } from 'node:module';
import { missingPeers, missingPeersMessage, ownManifest } from './peers.js';

const manifest = ownManifest();
const require = createRequire(import.meta.url);
const missing = missingPeers(manifest, (name) => require.resolve(`${name}/package.json`));
if (missing.length > 0) {
  process.stderr.write(`fieldsync: ${missingPeersMessage(missing)}\n`);
  process.exitCode = 2;
} else {
  const { main } = await import('./program.js');
  await main(process.argv, manifest.version);
}
