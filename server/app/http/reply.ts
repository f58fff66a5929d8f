import type { Response } from 'express';
import { AppError, toErrorBody } from '../../core/errors.ts';

/** Answers with the typed error body and the status its code carries. */
export function sendError(res: Response, err: unknown): void {
  const status = err instanceof AppError ? err.status : 500;
  res.status(status).json({ ok: false, error: toErrorBody(err) });
}
