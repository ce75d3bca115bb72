// Holds one local object store for scripts/object-store.sh: fauxqs (S3) or Azurite, the npm
// devDependencies the tests use, started as libs/testing starts them (127.0.0.1, a free port, the
// bucket or container made). Writes the variables that point jssctl and the services at it to
// <dir>/<kind>.env, then runs until SIGTERM or SIGINT (fauxqs keeps its objects in this process's child).
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StoreServer } from '../libs/testing/src/store-servers';

async function main(): Promise<void> {
  const [kind, dir] = process.argv.slice(2);
  if ((kind !== 's3' && kind !== 'azure') || !dir) throw new Error('usage: object-store.ts s3|azure <dir>');
  const server = await StoreServer.start(kind, path.join(dir, kind));
  const envFile = path.join(dir, `${kind}.env`);
  const lines = Object.entries(server.env()).map(([k, v]) => `export ${k}='${v}'`);
  writeFileSync(envFile, `${lines.join('\n')}\n`);
  const stop = () => {
    rmSync(envFile, { force: true });
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(`object-store: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
