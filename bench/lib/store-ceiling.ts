// The ceiling of an object-store server, in a process of its own (as fresh as the rehydrators it is
// compared with; in the bench's own process the ceiling depended on how large that process's heap
// had grown): the rehydrators' own block reads (ObjectStore.getInto of @jss/store: signed GETs, the
// SDK as fallback) of the given keys, IN_FLIGHT at once, into buffers that are neither hashed nor
// written. Run by bench/lib/object-stores.ts:
//   node store-ceiling.js <file with the keys as JSON> [GETs in flight, default IN_FLIGHT]
// (the store from JSS_STORE_URL and the SDK variables)
// prints {"seconds", "bytes", "cpuSeconds"} on stdout.
import { readFileSync } from 'node:fs';
import { loadEnv } from '@jss/config';
import { createObjectStore } from '@jss/store';
import { secondsSince } from './measure';

export const IN_FLIGHT = 32;
/** larger than any block the bench writes */
const BUFFER_BYTES = 8 << 20;

/** Reads every block of the point with `inFlight` GETs at once: seconds, bytes. */
async function ceiling(env: NodeJS.ProcessEnv, keys: string[], inFlight: number): Promise<{ seconds: number; bytes: number }> {
  const store = createObjectStore(loadEnv({ ...env, REHYDRATOR_CONCURRENCY: String(inFlight) }), env);
  if (!store.getInto) throw new Error('the ceiling is measured for S3 and Azure only');
  let next = 0;
  let bytes = 0;
  const t = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      const buffer = new Uint8Array(BUFFER_BYTES);
      while (next < keys.length) {
        const n = await store.getInto!(keys[next++], buffer);
        bytes += n; // after the await: `bytes += await` would add to a stale value
      }
    }),
  );
  return { seconds: secondsSince(t), bytes };
}

if (require.main === module) {
  const keys = JSON.parse(readFileSync(process.argv[2], 'utf8')) as string[];
  const cpu0 = process.cpuUsage();
  ceiling(process.env, keys, Number(process.argv[3] ?? IN_FLIGHT)).then(
    ({ seconds, bytes }) => {
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(JSON.stringify({ seconds, bytes, cpuSeconds: (cpu.user + cpu.system) / 1e6 }) + '\n');
      process.exit(0); // the store's keep-alive sockets would hold the process a while
    },
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
