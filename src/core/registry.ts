/**
 * Registry<T>: extension by registration, not by editing a switch (formats, descriptors, kernels, integrators).
 * Registering a duplicate name throws; looking up a missing name throws a FarfieldError listing what exists.
 */
import { FarfieldError } from './errors.js';

export class Registry<T> {
  private readonly items = new Map<string, T>();
  constructor(readonly kind: string) {}

  register(name: string, item: T): void {
    if (this.items.has(name)) throw new Error(`${this.kind} '${name}' is already registered`);
    this.items.set(name, item);
  }

  has(name: string): boolean {
    return this.items.has(name);
  }

  get(name: string): T {
    const it = this.items.get(name);
    if (it === undefined)
      throw new FarfieldError('INVALID_INPUT', `unknown ${this.kind} '${name}' (known: ${[...this.items.keys()].join(', ')})`);
    return it;
  }

  names(): string[] {
    return [...this.items.keys()];
  }

  entries(): [string, T][] {
    return [...this.items.entries()];
  }
}
