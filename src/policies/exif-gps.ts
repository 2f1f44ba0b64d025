import exifr from 'exifr';
import type { Finding } from '../core/finding.js';
import type { AttachmentHead } from './detector.js';

/**
 * Photos that carry the place they were taken (EXIF GPS): a patient photographed at home, or
 * a clinical photo that gives away the practice's or the patient's location. Reported as
 * `"lat,lon"` in decimal degrees with 6 decimals (south and west negative).
 *
 * Asynchronous because exifr's API is promise-based; it still does no I/O here, since it is
 * only ever given the attachment's bytes (never a path or URL, which exifr would read or
 * fetch). exifr recognises JPEG, TIFF, HEIC/AVIF and PNG by their magic numbers; anything
 * else, and any malformed file, gives no finding. Only the first bytes of the attachment
 * (`head`) are read: EXIF lives at the start of JPEG, TIFF and PNG files.
 */
export async function detectExifGps(attachment: AttachmentHead): Promise<Finding[]> {
  const position = await readGps(attachment.head);
  if (!position) return [];
  return [
    {
      kind: 'exif_gps',
      value: `${position.latitude.toFixed(6)},${position.longitude.toFixed(6)}`,
      confidence: 0.9,
      location: `attachment:${attachment.filename}`,
      offset: -1,
      why: 'photo carries the location where it was taken',
    },
  ];
}

interface Position {
  readonly latitude: number;
  readonly longitude: number;
}

async function readGps(head: Buffer): Promise<Position | null> {
  if (head.length < 12) return null;
  let gps: unknown;
  try {
    gps = await exifr.gps(head);
  } catch {
    return null; // unknown format or malformed EXIF
  }
  if (typeof gps !== 'object' || gps === null) return null;
  const { latitude, longitude } = gps as { latitude?: unknown; longitude?: unknown };
  if (typeof latitude !== 'number' || typeof longitude !== 'number') return null;
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return null;
  // 0,0 is what cameras write when they had no fix: it locates nobody.
  if (latitude === 0 && longitude === 0) return null;
  return { latitude, longitude };
}
