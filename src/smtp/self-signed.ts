import { generate } from 'selfsigned';

/** A self-signed EC P-256 certificate for the hostname, valid five years, and its key (PEM). */
export async function selfSignedPair(hostname: string): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 5 * 365 * 86_400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] }],
  });
  return { key: pems.private, cert: pems.cert };
}
