import { readFileSync } from 'node:fs';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { ASYNCAPI_FILE, renderAsyncApi } from '../../scripts/asyncapi';

/** asyncapi.yaml is generated from the contract's zod schemas; this fails when it is stale or invalid. */
describe('asyncapi.yaml', () => {
  const committed = readFileSync(ASYNCAPI_FILE, 'utf8');

  it('is what `npm run asyncapi` generates from libs/contract', () => {
    expect(committed).toBe(renderAsyncApi());
  });

  it('is a valid AsyncAPI 3.0 document (no errors or warnings from @asyncapi/parser)', async () => {
    const { document, diagnostics } = await new Parser().parse(committed);
    const problems = diagnostics
      .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
      .map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });
});
