// The rest days 信访 deadlines skip (clocks.ts): config/holidays.json, validated strictly at
// start. Which days are holidays is the State Council's yearly notice; the administration keeps
// the file (docs/case-life.md says what the shipped one holds).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { holidayCalendar, type Calendar } from './clocks.ts';

export const DEFAULT_HOLIDAYS_FILE = path.resolve('config/holidays.json');

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const holidaysSchema = z.strictObject({ note: z.string().optional(), holidays: z.array(date).max(2000), workdays: z.array(date).max(2000) });

export function loadHolidayCalendar(file = DEFAULT_HOLIDAYS_FILE): Calendar {
  const parsed = holidaysSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return holidayCalendar(parsed.data);
}
