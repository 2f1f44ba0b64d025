import { Worker } from 'node:worker_threads';

/**
 * Runs a script in a thread of its own and resolves with the one message it posts; the thread
 * ends with it, and so does its heap. For libraries the relay needs once (reading its
 * configuration, making a certificate) that would otherwise stay in the main thread's heap.
 */
export function replyFromThread<T>(script: URL, workerData: unknown, what: string): Promise<T> {
  const worker = new Worker(script, { workerData });
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    // After the message this does nothing: the promise has settled.
    worker.once('exit', (code) => reject(new Error(`${what}: its thread stopped (exit code ${code}) before it answered`)));
  });
}
