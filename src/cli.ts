#!/usr/bin/env node
import { describeError } from './cli/common.js';
import { queueCommand } from './cli/queue.js';
import { checkConfigCommand, startCommand } from './cli/start.js';
import { usersCommand } from './cli/users.js';

const USAGE = `mouthguard: outbound mail gateway for dental practices

usage: mouthguard <command> [--config FILE]
  start [--print-config]     run the relay (SIGTERM drains and stops)
  check-config               validate the configuration and exit
  users add|list|remove|passwd   SMTP accounts (see: mouthguard users)
  queue list|show|retry|delete   the delivery queue (see: mouthguard queue)

The configuration comes from --config, MOUTHGUARD_CONFIG or ./mouthguard.yaml.`;

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'start':
      return startCommand(args);
    case 'check-config':
      return checkConfigCommand(args);
    case 'users':
      return usersCommand(args);
    case 'queue':
      return queueCommand(args);
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

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`mouthguard: ${describeError(err)}`);
  process.exitCode = err instanceof Error && err.name === 'UsageError' ? 2 : 1;
});
