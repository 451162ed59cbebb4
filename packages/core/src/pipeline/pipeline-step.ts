import type { StepPlugin } from '../plugin/step-plugin.js';

// A step ready to run: the plugin, where it came from, and its validated options.
export interface PipelineStep {
  plugin: StepPlugin<any>;
  origin: string;
  options: unknown;
}

// What one step did on one node.
export interface StepRecord {
  step: string;
  node: string;
  changed: boolean;
  summary: string;
  data?: unknown;
  durationMs: number;
}
