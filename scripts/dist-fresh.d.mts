/** Types of scripts/dist-fresh.mjs. */
export function distUpToDate(root: string): boolean;
