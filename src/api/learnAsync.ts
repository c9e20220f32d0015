/**
 * Reference calls in flight while on-the-fly MD runs on (learnSession.ts with `config.async.maxInFlight` ≥ 1): the
 * queue of submitted calls, which of them join the training set at a step boundary, and their checkpoint form.
 * Browser-safe (no node:*): it only awaits the labeller's promises and yields to the event loop with a zero timer so
 * that finished jobs (child processes, executor polling) are noticed between MD steps.
 *
 * Order rules (config.async.apply, docs/learn.md):
 *   'after-lag'  — a call made at step c joins at the boundary before step c + L (L = lagSteps), in call order; the
 *                  loop waits there if its label is late. Independent of timing: bit-reproducible, also across a resume.
 *   'on-arrival' — at every boundary, every call whose label has arrived joins, in arrival order; a call still out
 *                  at step c + L is waited for. The run is deterministic given the order and the steps of arrival.
 * At the end of the run, and before a synchronous call ('call-now'), every call in flight is waited for and joins
 * (call order for 'after-lag', arrival order for 'on-arrival').
 */
import { FarfieldError, type Structure } from '../core/index.js';
import { formatExtxyzFrame, parseXyzText } from '../io/index.js';
import type { ResolvedAsyncConfig } from './learnConfig.js';

/** What the checkpoint keeps of a call in flight: enough to submit it again on resume. */
export interface InFlightCall {
  /** MD step of the call (the structure is the MD state at that step). */
  step: number;
  /** The model's σ_max and the threshold at the call (provenance). */
  sigma: number;
  threshold: number;
  /** The structure sent to the reference, as extended-XYZ text (exactly what a resume resubmits). */
  text: string;
}

export type CallOutcome = { ok: true; structure: Structure; attempts: number } | { ok: false; reason: string; attempts: number };

interface Job extends InFlightCall {
  frame: Structure;
  done: Promise<void>;
  outcome?: CallOutcome;
  /** Arrival rank (order in which the labels came back in this process). */
  arrival?: number;
}

/** A job that has joined (its outcome is known). */
export interface SettledCall extends InFlightCall {
  frame: Structure;
  outcome: CallOutcome;
}

/** The structure sent to the reference: MD positions and cell, no labels, no velocities, round-tripped through text. */
export function callFrame(s: Structure): { text: string; frame: Structure } {
  const { velocities: _v, ...arrays } = s.arrays;
  const text = formatExtxyzFrame({ ...s, arrays, labels: {} });
  return { text, frame: parseXyzText(text, 'learn state (call in flight)')[0] };
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

export class InFlightQueue {
  private jobs: Job[] = [];
  private arrivals = 0;

  constructor(readonly cfg: ResolvedAsyncConfig, private readonly label: (s: Structure, tag: string) => Promise<CallOutcome>) {}

  get size(): number {
    return this.jobs.length;
  }

  get full(): boolean {
    return this.jobs.length >= this.cfg.maxInFlight;
  }

  /** Submit a call (its label is awaited later); `tag` names the call's work directory. */
  submit(call: InFlightCall, frame: Structure, tag: string): void {
    const job: Job = { ...call, frame, done: Promise.resolve() };
    job.done = this.label(frame, tag).then(
      (o): CallOutcome => o,
      (e: unknown): CallOutcome => ({ ok: false, reason: e instanceof Error ? e.message : String(e), attempts: 1 }),
    ).then((o) => {
      job.outcome = o;
      job.arrival = this.arrivals++;
    });
    this.jobs.push(job);
  }

  /** Resubmit the calls of a checkpoint (resume: a call in flight at the kill is labelled again). */
  restore(calls: readonly InFlightCall[]): void {
    for (const c of calls) {
      const frame = parseXyzText(c.text, 'learn state (call in flight)')[0];
      if (!frame) throw new FarfieldError('PARSE', `learn state: the call in flight of step ${c.step} has no structure`);
      this.submit(c, frame, tagOf(c.step));
    }
  }

  /** The checkpoint form of the calls in flight (call order). */
  snapshot(): InFlightCall[] {
    return this.jobs.map(({ step, sigma, threshold, text }) => ({ step, sigma, threshold, text }));
  }

  /** The calls that join at the boundary before MD step `step` (see the header), removed from the queue. */
  async due(step: number): Promise<SettledCall[]> {
    if (this.jobs.length === 0) return [];
    const late = this.jobs.filter((j) => step - j.step >= this.cfg.lagSteps);
    await Promise.all(late.map((j) => j.done));
    if (this.cfg.apply === 'after-lag') return this.take(late, 'call');
    await yieldToEventLoop();
    return this.take(this.jobs.filter((j) => j.outcome !== undefined), 'arrival');
  }

  /** Wait for every call in flight; all join (end of run, or before a synchronous call). */
  async drain(): Promise<SettledCall[]> {
    await Promise.all(this.jobs.map((j) => j.done));
    return this.take(this.jobs.slice(), this.cfg.apply === 'after-lag' ? 'call' : 'arrival');
  }

  private take(sel: Job[], order: 'call' | 'arrival'): SettledCall[] {
    const set = new Set(sel);
    this.jobs = this.jobs.filter((j) => !set.has(j));
    if (order === 'arrival') sel.sort((a, b) => a.arrival! - b.arrival!);
    return sel.map(({ step, sigma, threshold, text, frame, outcome }) => ({ step, sigma, threshold, text, frame, outcome: outcome! }));
  }
}

/** Work-directory tag of the call at `step`. */
export function tagOf(step: number): string {
  return `step-${String(step).padStart(6, '0')}`;
}
