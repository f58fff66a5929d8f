// What a petitioner's phone may see of a case (case.html, opened from the receipt's QR code): the
// terminal's lookup cut down to where the case is, its deadlines and the written answer. Built
// from the lookup so the two never disagree on the stage, the clocks or the answer.
import type { CaseLookup, CasePhase, CaseStatus } from './types.ts';

/** The stage (and whether the latest answer was rated) in the five words the page shows. */
export function casePhase(l: Pick<CaseLookup, 'stage' | 'answer' | 'resultRating'>): CasePhase {
  switch (l.stage) {
    case 'intake':
      return 'registered';
    case 'handling':
    case 'review':
    case 're_review':
      // A 复查/复核 under way is handling again, though the earlier answer stays readable.
      return 'in_handling';
    case 'replied':
    case 'reviewed':
    case 're_reviewed':
      return l.answer && !l.resultRating ? 'to_rate' : 'replied';
    case 'closed':
    case 'archived':
      return 'closed';
  }
}

export function caseStatusOf(l: CaseLookup): CaseStatus {
  const deadlines = [l.deadline, l.window].flatMap((k) => (k?.dueAt ? [{ kind: k.kind, dueAt: k.dueAt, window: k.window }] : []));
  return { caseId: l.caseId, phase: casePhase(l), registeredAt: l.registeredAt, deadlines, reply: l.answer };
}
