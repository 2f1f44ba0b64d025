#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=4 --single-threaded-gc --expose-gc
import { describeError } from './cli/common.js';

// Commands are loaded on demand: a quick `users list` need not load the MIME and PDF stack.

const USAGE = `mouthguard: outbound mail gateway for dental practices

usage: mouthguard <command> [--config FILE]
  start [--print-config]     run the relay (SIGTERM drains and stops)
  check-config               validate the configuration and exit
  users add|list|remove|passwd   SMTP accounts (see: mouthguard users)
  queue list|show|retry|delete   the delivery queue (see: mouthguard queue)
  held list|show|release|reject  messages held for review (see: mouthguard held)
  patients import|status|clear   the practice's patient list, for exact match (see: mouthguard patients)
  scan [--json] FILE.eml...      run saved mail through inspection and policy, without sending
  disclaimer show|set|history|rollback|remove|preview|apply   the disclaimer texts (see: mouthguard disclaimer)

The configuration comes from --config, MOUTHGUARD_CONFIG or ./mouthguard.yaml.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start':
      return (await import('./cli/start.js')).startCommand(args);
    case 'check-config':
      return (await import('./cli/check-config.js')).checkConfigCommand(args);
    case 'users':
      return (await import('./cli/users.js')).usersCommand(args);
    case 'queue':
      return (await import('./cli/queue.js')).queueCommand(args);
    case 'held':
      return (await import('./cli/held.js')).heldCommand(args);
    case 'patients':
      return (await import('./cli/patients.js')).patientsCommand(args);
    case 'scan':
      return (await import('./cli/scan.js')).scanCommand(args);
    case 'disclaimer':
      return (await import('./cli/disclaimer.js')).disclaimerCommand(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return;
    default:
      console.error(`unknown command ${command}\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

/** A mistake in how the command was typed: exit code 2, as for any usage error. */
function isUsageMistake(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  // node:util parseArgs: an unknown option, a missing or ambiguous option value.
  return err.name === 'UsageError' || ('code' in err && typeof err.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'));
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`mouthguard: ${describeError(err)}`);
  process.exitCode = isUsageMistake(err) ? 2 : 1;
});
