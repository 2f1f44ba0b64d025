import { z } from 'zod';
import { parseDuration, parseSize } from './units.js';

/** A duration such as "30s", "5m", "1h", "5d"; a bare number is milliseconds. */
export const duration = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === null) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration such as "250ms", "30s", "5m", "1h" or "5d"' });
        return z.NEVER;
      }
      return ms;
    });

/** A size such as "35MB", "512KiB"; a bare number is bytes. */
export const size = (fallback: string) =>
  z
    .union([z.string(), z.number()])
    .default(fallback)
    .transform((value, ctx) => {
      const bytes = parseSize(value);
      if (bytes === null || bytes === 0) {
        ctx.addIssue({ code: 'custom', message: 'expected a size such as "35MB", "64KiB" or a number of bytes' });
        return z.NEVER;
      }
      return bytes;
    });
