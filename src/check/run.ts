/**
 * One whole check, shared by the action and the CLI: wait for the target, run the load, decide.
 * Settings in, a plain `Check` out; printing belongs to src/present/ and the adapters, which hear
 * about the steps through the hooks.
 */
import type { Check, SavedBaseline } from '../model/check.js';
import type { Settings } from '../model/settings.js';
import { runAbsolute, type CheckHooks } from './absolute.js';
import { runPaired, runSaved } from './comparison.js';

export type { CheckHooks };

/** The check the settings ask for: head vs a service, head vs a saved report, or absolute. */
export function runCheck(
  settings: Settings,
  hooks: CheckHooks = {},
  saved: SavedBaseline | null = null,
): Promise<Check> {
  if (settings.baseline) return runPaired(settings, hooks);
  if (saved) return runSaved(settings, saved, hooks);
  return runAbsolute(settings, hooks);
}
