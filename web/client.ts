/**
 * The page's handle on its compute worker: typed requests returning promises, progress/stage/frame callbacks,
 * and cancellation by terminating the worker. After a cancel a fresh worker is started and the last dataset is
 * loaded into it again (fitted models are lost; the page says so).
 */
import type { Reply, Request, ResultTypes } from './protocol.js';

type Payload<T extends Request['type']> = Omit<Extract<Request, { type: T }>, 'id' | 'type'>;

export interface Handlers {
  progress?: (phase: string, done: number, total: number, message?: string) => void;
  stage?: (label: string) => void;
  frame?: (r: Extract<Reply, { type: 'frame' }>) => void;
  learnRows?: (r: Extract<Reply, { type: 'learn-rows' }>) => void;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  handlers: Handlers;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export class WorkerClient {
  private worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** The request that defined the current dataset (replayed after a cancel). */
  private datasetRequest: Request | null = null;

  constructor(private readonly source: string) {
    this.worker = this.spawn();
  }

  private spawn(): Worker {
    const url = URL.createObjectURL(new Blob([this.source], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.onmessage = (e: MessageEvent<Reply>) => this.receive(e.data);
    w.onerror = (e) => {
      for (const [id, p] of this.pending) {
        p.reject(new Error(`worker failed: ${e.message}`));
        this.pending.delete(id);
      }
    };
    return w;
  }

  private receive(r: Reply): void {
    const p = this.pending.get(r.id);
    if (!p) return;
    switch (r.type) {
      case 'progress': p.handlers.progress?.(r.phase, r.done, r.total, r.message); break;
      case 'stage': p.handlers.stage?.(r.label); break;
      case 'frame': p.handlers.frame?.(r); break;
      case 'learn-rows': p.handlers.learnRows?.(r); break;
      case 'result': this.pending.delete(r.id); p.resolve(r.value); break;
      case 'error': this.pending.delete(r.id); p.reject(new Error(r.message)); break;
    }
  }

  request<T extends Request['type']>(type: T, payload: Payload<T>, handlers: Handlers = {}): Promise<ResultTypes[T]> {
    const id = this.nextId++;
    const req = { id, type, ...payload } as unknown as Request;
    if (type === 'load' || type === 'toy') this.datasetRequest = req;
    return new Promise<ResultTypes[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, handlers });
      this.worker.postMessage(req);
    });
  }

  /** Ask a running MD job to stop after its current chunk (the worker and its fitted models stay). */
  stop(): void {
    this.worker.postMessage({ id: this.nextId++, type: 'stop' } satisfies Request);
  }

  /** Stop whatever runs: terminate the worker, reject pending requests, start a new worker with the dataset. */
  async cancel(): Promise<void> {
    this.worker.terminate();
    for (const [, p] of this.pending) p.reject(new CancelledError());
    this.pending.clear();
    this.worker = this.spawn();
    const d = this.datasetRequest;
    if (d && d.type === 'load') await this.request('load', { name: d.name, data: d.data });
    else if (d && d.type === 'toy') await this.request('toy', { frames: d.frames, repeat: d.repeat });
  }
}
