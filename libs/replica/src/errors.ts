// Errors of the replica format. Each names what is wrong in a sentence an operator understands.

/** A domain or VM name that cannot become part of a VM name (jss-rvm-<vm>) or an object key. */
export class InvalidNameError extends Error {
  constructor(kind: 'domain' | 'VM', name: string) {
    super(`invalid ${kind} name "${name}": use 1-63 lower-case letters, digits and '-', starting with a letter or digit`);
    this.name = 'InvalidNameError';
  }
}

/** A manifest or domain record in the store that does not match the format. */
export class ManifestError extends Error {
  constructor(
    readonly key: string,
    problem: string,
  ) {
    super(`bad replica object ${key}: ${problem}`);
    this.name = 'ManifestError';
  }
}

export interface BlockRef {
  domain: string;
  vm: string;
  diskIndex: number;
  block: number;
  /** sha256 the manifest records for the block */
  expected: string;
}

/** A block that is missing from the store or whose content does not match its manifest hash. */
export class BlockVerificationError extends Error {
  constructor(
    readonly ref: BlockRef,
    problem: string,
  ) {
    super(
      `block ${ref.block} of disk ${ref.diskIndex} of VM "${ref.vm}" in domain "${ref.domain}" ` + `(sha256 ${ref.expected}) ${problem}`,
    );
    this.name = 'BlockVerificationError';
  }
}

/** Rejection of work stopped through its AbortSignal (same name and code as Node's own). */
export class AbortError extends Error {
  readonly code = 'ABORT_ERR';
  constructor(message = 'the operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AbortError';
  }
}
