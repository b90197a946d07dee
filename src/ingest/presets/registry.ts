import { basketsPreset } from './baskets.js';
import { cartwisePreset } from './cartwise.js';
import { digineticaPreset } from './diginetica.js';
import { genericPreset } from './generic.js';
import { interactionsPreset } from './interactions.js';
import { movielensPreset } from './movielens.js';
import { onlineRetailPreset } from './online-retail.js';
import type { Preset, PresetName } from './preset.js';
import { segmentPreset } from './segment.js';

/** The presets by name: one place for `--preset`, detection and help texts. */

/** Every preset, in the order `--help` lists them. */
export const PRESETS: readonly Preset[] = [
  segmentPreset,
  movielensPreset,
  onlineRetailPreset,
  basketsPreset,
  interactionsPreset,
  cartwisePreset,
  genericPreset,
  digineticaPreset,
];

/** The names `--preset` accepts. */
export const PRESET_NAMES: readonly PresetName[] = PRESETS.map((p) => p.name);

/** The preset of a name, or undefined for an unknown name. */
export function presetNamed(name: string): Preset | undefined {
  return PRESETS.find((p) => p.name === name);
}
