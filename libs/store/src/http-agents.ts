import http from 'node:http';
import https from 'node:https';

/**
 * Keep-alive agents for a store's SDK client. Every request takes a socket from the pool; a pool
 * smaller than the reads in flight silently caps them (the AWS SDK's default is 50), so it is sized
 * from the reads the process makes at once.
 */
export function keepAliveAgents(sockets: number): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const options = { keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets };
  return { httpAgent: new http.Agent(options), httpsAgent: new https.Agent(options) };
}

/** How many requests one process of the services makes at once: a rehydrator's block reads, or a writer's uploads. */
export function socketsFor(env: { REHYDRATOR_CONCURRENCY?: number; REHYDRATOR_JOBS?: number }): number {
  const reads = (env.REHYDRATOR_CONCURRENCY ?? 16) * (env.REHYDRATOR_JOBS ?? 1);
  return Math.max(reads, 32) + 8; // + listings and manifests beside the blocks
}
