import type { StepLogger } from './step-context.js';

// A step logger that says nothing: for planning and preflights whose output nobody reads.
export const SILENT_LOGGER: StepLogger = Object.freeze({ info: () => undefined, warn: () => undefined, debug: () => undefined });
