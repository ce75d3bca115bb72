// Where each part of a replica lives in the object store (see docs/replica-format.md).

export const domainKey = (domain: string): string => `${domain}/domain.json`;
export const pointsPrefix = (domain: string): string => `${domain}/points/`;
export const pointKey = (domain: string, pointId: string): string => `${pointsPrefix(domain)}${pointId}.json`;
export const blocksPrefix = (domain: string): string => `${domain}/blocks/`;
/** Content-addressed; the first two hex digits fan the blocks out over 256 folders / key ranges. */
export const blockKey = (domain: string, sha256: string): string => `${blocksPrefix(domain)}${sha256.slice(0, 2)}/${sha256}`;
