// The platform's one time zone. Every date that people read — case numbers, deadlines, receipts,
// household schedules, the statistics month — is a China Standard Time date, on the server and in
// the pages alike. CST is UTC+8 all year (no daylight saving since 1991), so a fixed offset is
// exact and independent of the host's or the browser's TZ setting.
export const CITY_UTC_OFFSET_MS = 8 * 3600_000;

/** The instant shifted so that its UTC fields (getUTCDate, getUTCHours…) read China wall-clock time. */
export const cityWallClock = (ms: number): Date => new Date(ms + CITY_UTC_OFFSET_MS);
