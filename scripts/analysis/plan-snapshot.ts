/**
 * Prints the plans picked for the planning cases of test/electrostatics/planCases.ts (FKK, LODE, lode-ms
 * descriptors, Coulomb tune) as JSON lines: run before and after a change of the planning code and diff the outputs.
 * Usage: node --import tsx scripts/analysis/plan-snapshot.ts [--quick]   (--quick: without the 4096-atom melt)
 */
import { planCases } from '../../test/electrostatics/planCases.js';

const quick = process.argv.includes('--quick');
for (const c of planCases((name) => !(quick && name === 'melt4096'))) console.log(JSON.stringify({ case: c.name, plan: c.plan() }));
