import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { replyFromThread } from '../core/one-shot-thread.js';
import type { Logger } from '../log/logger.js';

export interface TlsMaterial {
  readonly key: Buffer;
  readonly cert: Buffer;
  readonly selfSigned: boolean;
}

/**
 * The certificate and key for the SMTP listeners: from the configured files, or a
 * self-signed pair kept in `<dataDir>/tls` (generated on first start, with a warning).
 */
export async function loadTlsMaterial(
  files: { cert: string; key: string } | undefined,
  dataDir: string,
  hostname: string,
  log: Logger,
): Promise<TlsMaterial> {
  if (files) {
    try {
      return { cert: readFileSync(files.cert), key: readFileSync(files.key), selfSigned: false };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new Error(`smtp.tls: cannot read the certificate or key (${code}): check smtp.tls.cert and smtp.tls.key`);
    }
  }
  const dir = join(dataDir, 'tls');
  const certPath = join(dir, 'selfsigned-cert.pem');
  const keyPath = join(dir, 'selfsigned-key.pem');
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const pems = await generateSelfSigned(hostname);
    await writeFile(`${keyPath}.tmp`, pems.key, { mode: 0o600 });
    await writeFile(`${certPath}.tmp`, pems.cert, { mode: 0o644 });
    await rename(`${keyPath}.tmp`, keyPath);
    await rename(`${certPath}.tmp`, certPath);
    log.warn({ event: 'tls_self_signed', cert: certPath }, 'no smtp.tls configured: generated a self-signed certificate; configure a real one for production');
  } else {
    log.warn({ event: 'tls_self_signed', cert: certPath }, 'using the self-signed certificate in the data directory; configure smtp.tls for production');
  }
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), selfSigned: true };
}

/**
 * A new self-signed pair, made in a thread that ends with it: the certificate library is large
 * (about 4 MB of heap once loaded, measured) and needed once per data directory, so it never
 * enters the relay's own heap.
 */
async function generateSelfSigned(hostname: string): Promise<{ key: string; cert: string }> {
  const script = new URL('./self-signed-worker.js', import.meta.url);
  // Run from TypeScript sources (the in-process tests) there is no built script: made here instead.
  if (!existsSync(fileURLToPath(script))) return (await import('./self-signed.js')).selfSignedPair(hostname);
  return replyFromThread(script, { hostname }, 'no self-signed certificate was made');
}
