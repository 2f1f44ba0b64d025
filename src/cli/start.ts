import { parseArgs } from 'node:util';
import { loadConfigInThread } from '../config/load-in-thread.js';
import { startRelay } from '../main.js';
import { configPathFrom } from './common.js';

/** `mouthguard start`: runs until SIGTERM/SIGINT (graceful); a second signal exits at once. */
export async function startCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' }, 'print-config': { type: 'boolean' } } });
  const path = configPathFrom(values.config);
  if (values['print-config']) {
    const [{ loadConfig }, { printableConfig }] = await Promise.all([import('../config/load.js'), import('../config/print.js')]);
    console.log(printableConfig(loadConfig({ path })));
    return;
  }
  const config = await loadConfigInThread({ path });
  const relay = await startRelay(config).catch((err: unknown) => {
    // startRelay closed what it had opened; should anything still hold the process, a relay
    // that failed to start must not linger half-alive: exit once the error is printed.
    setTimeout(() => process.exit(1), 2_000).unref();
    throw err;
  });
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      relay.log.warn({ event: 'relay_exit_now', signal }, `${signal} again: exiting at once`);
      console.error(`${signal} again: exiting at once`);
      process.exit(1);
    }
    stopping = true;
    relay.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`error while stopping: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
