// The names an archivist reads for the ids a recording's case information holds (region,
// departments). The manifest keeps ids — they are what the evidence was filed under — and the
// archive API looks the names up in the directory when a session is opened. The directory is the
// petition domain's, which the recordings layer may not import: the composition passes it in.
import type { SessionDetail } from '../../server/protocol/http/archive-shapes.ts';

export interface DirectoryNames {
  regionName(code: string): Promise<string | undefined>;
  departmentName(id: string): Promise<string | undefined>;
}

/** The names `directory` knows for the ids of `ci` (none without a directory). */
export async function caseNames(directory: DirectoryNames | undefined, ci: { region?: string | undefined; departments: readonly string[] }): Promise<SessionDetail['names']> {
  const names: SessionDetail['names'] = { regions: {}, departments: {} };
  if (!directory) return names;
  const region = ci.region ? await directory.regionName(ci.region) : undefined;
  if (ci.region && region) names.regions[ci.region] = region;
  for (const id of ci.departments) {
    const name = await directory.departmentName(id);
    if (name) names.departments[id] = name;
  }
  return names;
}
