import type { ErrorCode } from './error-codes.js';
import { maskSecrets } from '../secrets/secret-registry.js';

// Where an error happened: the step, node, file and line, or config key involved.
export interface ErrorLocation {
  step?: string;
  node?: string;
  // The host a node lives on, when it is not this machine ("root@db2:2222").
  host?: string;
  file?: string;
  line?: number;
  key?: string;
  plugin?: string;
}

// Details passed when raising a HotstandbyError.
export interface HotstandbyErrorInit {
  where?: ErrorLocation;
  fix?: string;
  detail?: string;
  cause?: unknown;
  // Machine-readable facts for --json output (a verification report, say).
  data?: unknown;
}

// The one error type of hotstandby: what happened, where, and how to fix it; never carries secrets.
export class HotstandbyError extends Error {
  readonly code: ErrorCode;
  readonly where: ErrorLocation;
  readonly fix?: string;
  readonly detail?: string;
  readonly data?: unknown;

  constructor(code: ErrorCode, message: string, init: HotstandbyErrorInit = {}) {
    super(maskSecrets(message), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HotstandbyError';
    this.code = code;
    this.where = init.where ?? {};
    this.fix = init.fix === undefined ? undefined : maskSecrets(init.fix);
    this.detail = init.detail === undefined ? undefined : maskSecrets(init.detail);
    this.data = init.data;
  }

  // A copy of this error with more location facts (outer layers add step and node).
  within(where: ErrorLocation): HotstandbyError {
    const copy = new HotstandbyError(this.code, this.message, {
      where: { ...where, ...this.where },
      fix: this.fix,
      detail: this.detail,
      cause: this.cause,
      data: this.data,
    });
    copy.stack = this.stack;
    return copy;
  }
}

// True when the value is a HotstandbyError (also across module copies).
export function isHotstandbyError(value: unknown): value is HotstandbyError {
  return value instanceof HotstandbyError || (value instanceof Error && value.name === 'HotstandbyError' && 'code' in value);
}

// Whether an error is an interrupt (Ctrl-C, SIGTERM, a signal given to an action): passed on, never turned into a
// fallback or another error.
export function isAborted(value: unknown): value is HotstandbyError {
  return isHotstandbyError(value) && value.code === 'ABORTED';
}
