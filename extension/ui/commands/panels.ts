/** Opening the panels: a layer, a unit, an intervention, a causal search or the artifact units; going to a layer's source. */
import * as vscode from 'vscode';
import type { Node } from '../tree';
import { register, type CommandServices } from './services';

export function registerPanelCommands(s: CommandServices): void {
  register(s, 'ganDissection.showLayer', async (arg?: { runId: string; layer: string } | Node) => {
    if (arg && 'kind' in arg) {
      if (arg.kind !== 'layer' || !arg.run) {
        void vscode.window.showInformationMessage('This layer is not dissected yet: run "GAN Dissection: Dissect Layer…".');
        return;
      }
      arg = { runId: arg.run.out, layer: arg.layer.name };
    }
    if (!arg) {
      const pick = await s.panels.pickLayer('Show which layer?');
      if (!pick) return;
      arg = { runId: pick.run.out, layer: pick.layer.layer };
    }
    s.panels.show('layer', arg);
  });

  register(s, 'ganDissection.showUnit', (arg: { runId: string; layer: string; unit: number }) => {
    s.panels.show('unit', arg);
  });

  // Open Unit…: a dissected layer, then one of its units, by quick pick (best IoU first)
  register(s, 'ganDissection.openUnit', async () => {
    const pick = await s.panels.pickLayer('Open a unit of which layer?');
    if (!pick) return undefined;
    const units = [...pick.layer.units].sort((a, b) => b.iou - a.iou);
    const u = await vscode.window.showQuickPick(
      units.map((x) => ({
        label: `unit ${x.unit}`,
        description: `${x.label} · IoU ${x.iou.toFixed(3)}${x.interpretable ? '' : ' (uninterpretable)'}`,
        unit: x.unit,
      })),
      { title: `Units of ${pick.layer.layer}`, matchOnDescription: true, placeHolder: 'type a unit number or a concept' },
    );
    if (!u) return undefined;
    s.panels.show('unit', { runId: pick.run.out, layer: pick.layer.layer, unit: u.unit });
    return { runId: pick.run.out, layer: pick.layer.layer, unit: u.unit };
  });

  /** A dissected layer from a tree node, an argument, or a quick pick; `why`: what needs the dissection, for the message. */
  const dissectedLayer = async (
    arg: { runId: string; layer: string } | Node | undefined,
    title: string,
    why = 'interventions use its dissection (rankings, insertion constants)',
  ) => {
    if (arg && 'kind' in arg) {
      if ((arg.kind !== 'layer' && arg.kind !== 'unit') || !arg.run) {
        void vscode.window.showInformationMessage(`Dissect this layer first: ${why}.`);
        return undefined;
      }
      return { runId: arg.run.out, layer: arg.layer.name };
    }
    if (arg) return arg;
    const pick = await s.panels.pickLayer(title);
    return pick ? { runId: pick.run.out, layer: pick.layer.layer } : undefined;
  };

  register(s, 'ganDissection.intervene', async (arg?: { runId: string; layer: string; units?: number[]; mode?: 'ablate' | 'insert' } | Node) => {
    const id = await dissectedLayer(arg, 'Intervene on which layer?');
    if (!id) return;
    const a = arg && !('kind' in arg) ? arg : undefined;
    const node = arg && 'kind' in arg && arg.kind === 'unit' ? arg : undefined;
    const units = a?.units ?? (node ? [node.unit.unit] : undefined);
    s.panels.show(
      'intervene',
      { runId: id.runId, layer: id.layer },
      units ? { units, mode: a?.mode ?? 'ablate', strength: 1, mask: null } : undefined,
    );
  });

  register(s, 'ganDissection.causalUnits', async (arg?: { runId: string; layer: string } | Node) => {
    const id = await dissectedLayer(arg, 'Find causal units in which layer?');
    if (id) s.panels.show('causal', id);
  });

  register(s, 'ganDissection.findArtifacts', async (arg?: { runId: string; layer: string } | Node) => {
    const id = await dissectedLayer(arg, 'Find artifact units in which layer?', 'the artifact units are kept with its dissection, beside its labels');
    if (id) s.panels.show('artifacts', id);
  });

  register(s, 'ganDissection.goToSource', async (arg?: { generator: string; layer: string } | Node) => {
    if (arg && 'kind' in arg) {
      if (arg.kind !== 'layer' && arg.kind !== 'unit') return false;
      arg = { generator: arg.model.project.generator.path, layer: arg.layer.name };
    }
    if (!arg) {
      // from the palette: which layer
      const pick = await s.panels.pickLayer('Go to the source of which layer?');
      if (!pick) return false;
      arg = { generator: pick.run.result.settings.generator.path, layer: pick.layer.layer };
    }
    // it says why where it finds nothing, and asks for the generator's class where none is linked
    return s.source.goToSource(arg.generator, arg.layer);
  });

  register(s, 'ganDissection.openedPanels', () => s.panels.openPanels());
}
