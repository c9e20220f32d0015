/** The list of CLI commands. Each module exports `register(program)`; add one line per command. */
import type { Command } from 'commander';
import { register as demo } from './demo.js';
import { register as convert } from './convert.js';
import { register as info } from './info.js';
import { register as ewald } from './ewald.js';
import { register as describe } from './describe.js';
import { register as fit } from './fit.js';
import { register as predict } from './predict.js';
import { register as evalCmd } from './eval.js';
import { register as md } from './md.js';
import { register as analyze } from './analyze.js';
import { register as compare } from './compare.js';
import { register as dataset } from './dataset.js';
import { register as label } from './label.js';
import { register as serve } from './serve.js';
import { register as driver } from './driver.js';
import { register as learn } from './learn.js';
import { register as fitShard } from './fitShard.js';

export const COMMANDS: ((program: Command) => void)[] = [demo, convert, info, ewald, describe, fit, predict, evalCmd, md, analyze, compare, dataset, label, serve, driver, learn, fitShard];
