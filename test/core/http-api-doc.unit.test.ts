// docs/http-api.md is generated from the endpoint tables; a table change without `npm run
// docs:http` leaves it stale, and this fails.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HTTP_API_DOC, renderHttpApi } from '../../scripts/docs/http-api.ts';
import { HTTP_API } from '../../server/protocol/http/index.ts';

describe('docs/http-api.md', () => {
  it('is what `npm run docs:http` generates from the tables today', () => {
    expect(fs.readFileSync(HTTP_API_DOC, 'utf8'), 'docs/http-api.md is stale: run npm run docs:http').toBe(renderHttpApi());
  });

  it('documents every endpoint of the tables', () => {
    const doc = renderHttpApi();
    for (const name of Object.keys(HTTP_API)) expect(doc).toContain(`### \`${name}\``);
  });
});
