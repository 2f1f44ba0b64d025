/** RFC 5322 date-time in UTC, e.g. "Tue, 24 Nov 2026 13:47:50 +0000". */
export function rfc5322Date(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}
