/** The `fieldsync` commands. Errors print as one line and exit non-zero, never a stack trace. */
import { Command, CommanderError } from 'commander';
import { demo } from './demo.js';
import { describeFailure } from './output.js';
import { outputMode } from './progress.js';
import { seed } from './seed.js';
import { serve } from './serve.js';
import { userAdd } from './user.js';
import { validate } from './validate.js';

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function program(version: string): Command {
  const cli = new Command('fieldsync')
    .version(version, '-V, --version', 'print the version of fieldsync')
    .description('Offline-first health data: codecs, lineage, tasks, targets and secure per-user sync for PouchDB/CouchDB.')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  cli.command('serve')
    .description('run the embedded CouchDB-compatible server')
    .option('--port <n>', 'TCP port (0 picks a free one)', '5984')
    .option('--host <addr>', 'interface to listen on', '127.0.0.1')
    .option('--data <dir>', 'keep databases in LevelDB under this directory', './fieldsync-data')
    .option('--memory', 'keep databases in memory only')
    .option('--static <dir>', 'serve a web app from this directory at /app')
    .option('--cors <origins...>', 'let pages on these origins sync through the gateway (e.g. http://localhost:5173 capacitor://localhost)')
    .action(async (options: { port: string; host: string; data: string; memory?: boolean; static?: string; cors?: string[] }) => {
      await serve(options, log);
    });
  cli.command('seed <url>')
    .description('write a realistic, deterministic CHT data set (credentials in the URL)')
    .option('--size <size>', 'small, medium or large (100,000 docs)', 'small')
    .option('--seed <n>', 'random seed: the same seed writes the same documents', '1')
    .option('--db <name>', 'database to write', 'medic')
    .option('--phr-db <name>', 'PHR database to write', 'testingdb')
    .option('--now <date>', 'date the data set ends on (default: today, UTC)')
    .option('--json', 'print only the result, as JSON')
    .action(async (url: string, options: { size: string; seed: string; db: string; phrDb: string; now?: string; json?: boolean }) => {
      const mode = outputMode(options.json);
      const result = await seed(url, options, mode, log);
      if (mode === 'json') log(JSON.stringify(result));
    });
  const user = cli.command('user').description('manage accounts (only a server admin makes them)');
  user.command('add <url> <name>')
    .description('create a user in _users (credentials of a server admin in the URL), and its CHT user-settings with --facility/--contact')
    .option('--password <password>', 'the password (default: FIELDSYNC_USER_PASSWORD)')
    .option('--roles <roles>', 'comma-separated roles, e.g. chw or chw,supervisor', '')
    .option('--facility <id>', 'facility_id of the user-settings record')
    .option('--contact <id>', 'contact_id of the user-settings record')
    .option('--db <name>', 'database of the user-settings record', 'medic')
    .option('--json', 'print only the result, as JSON')
    .action(async (url: string, name: string, options: { password?: string; roles?: string; facility?: string; contact?: string; db: string; json?: boolean }) => {
      const result = await userAdd(url, name, options, process.env);
      if (options.json) log(JSON.stringify(result));
      else log(`user ${result.name} created with roles [${result.roles.join(', ')}]${result.settingsDb ? `, user-settings in ${result.settingsDb}` : ''}`);
    });
  cli.command('validate <url>')
    .description('decode every document of a live database and check cross-document rules; exit 1 if any is invalid')
    .option('--db <name>', 'database to read', 'medic')
    .option('--schema <schema>', 'cht, phr, or auto (phr for testingdb)', 'auto')
    .option('--json', 'print only the result, as JSON')
    .action(async (url: string, options: { db: string; schema: string; json?: boolean }) => {
      const mode = outputMode(options.json);
      const result = await validate(url, options, mode, log);
      if (mode === 'json') log(JSON.stringify(result));
      if (result.invalid.length + result.crossDocument.length > 0) process.exitCode = 1;
    });
  cli.command('demo')
    .description('run the whole offline-first flow on an in-memory embedded server')
    .action(async () => {
      await demo(log);
    });
  return cli;
}

/** Runs the command line on `argv` (as `process.argv`); sets `process.exitCode`. */
export async function main(argv: readonly string[], version: string): Promise<void> {
  try {
    await program(version).parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`fieldsync: ${describeFailure(err)}\n`);
    process.exitCode = (err as { exitCode?: number }).exitCode ?? 1;
  }
}
