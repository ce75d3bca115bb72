import { readFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema, loadEnv } from './env';

describe('configuration', () => {
  it('the configuration table of docs/configuration.md lists exactly the variables of the schema', () => {
    const section = readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'configuration.md'), 'utf8');
    const documented = [...section.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(envSchema.shape).sort());
  });

  it('defaults work on localhost', () => {
    const env = loadEnv({});
    expect(env.AMQP_URL).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
  });

  it('fails fast naming every bad variable', () => {
    expect(() => loadEnv({ HTTP_PORT: 'eighty', REHYDRATOR_CONCURRENCY: '0' })).toThrow(
      /HTTP_PORT.*REHYDRATOR_CONCURRENCY|REHYDRATOR_CONCURRENCY.*HTTP_PORT/,
    );
  });
});
