/** `npm run wallet -- <command>`: see commands.ts, or run with --help. */
import { runWalletCli } from './commands';

process.exitCode = await runWalletCli(process.argv.slice(2));
