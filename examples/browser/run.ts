/** `npm run example:browser`: serves the browser example until Ctrl-C. */
import { startExample } from './server.js';

const example = await startExample(Number(process.env['PORT'] ?? 8080));
console.log(`open ${example.appUrl} and sign in as chw11 / chw11-pass (or chw12, supervisor1); Ctrl-C stops the server`);
process.once('SIGINT', () => { void example.close().then(() => process.exit(0)); });
