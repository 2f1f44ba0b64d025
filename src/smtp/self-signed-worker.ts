/**
 * Makes the self-signed certificate and key in a thread of its own (tls-material.ts): the
 * certificate library's code stays in this thread's heap, which goes when the thread ends, not
 * in the relay's for as long as it runs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selfSignedPair } from './self-signed.js';

parentPort!.postMessage(await selfSignedPair((workerData as { hostname: string }).hostname));
