/**
 * The palette commands, one file per group; each command also takes an argument object so scripts and
 * tests can run it without the pickers:
 *   models.ts   open a model (demo, ONNX, project file), close, refresh, list layers, filter the tree by concept;
 *   dissect.ts  dissect layers (cancellable progress, cached and resumable results), cancel, resume;
 *   export.ts   export a run (HTML report, CSV, JSON);
 *   panels.ts   show a layer or a unit, intervene, find causal units or artifact units, go to a layer's source;
 *   training.ts watch a training folder (a checkpoint series), stop it, show its Training panel;
 *   compare.ts  compare all layers of a run, or runs' layers side by side with their diffs;
 *   snippet.ts  insert the two lines that export the generator from a training loop.
 */
import { registerModelCommands } from './models';
import { registerDissectCommands } from './dissect';
import { registerExportCommands } from './export';
import { registerPanelCommands } from './panels';
import { registerTrainingCommands } from './training';
import { registerCompareCommands } from './compare';
import { registerSnippetCommands } from './snippet';
import type { CommandServices } from './services';

export type { CommandServices } from './services';

export function registerCommands(s: CommandServices): void {
  registerModelCommands(s);
  registerDissectCommands(s);
  registerExportCommands(s);
  registerPanelCommands(s);
  registerTrainingCommands(s);
  registerCompareCommands(s);
  registerSnippetCommands(s);
}
