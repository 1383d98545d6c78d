/**
 * Intervention benchmark (printed, never asserted), on the bundled demo model's layer3:
 *   - live preview latency per 64×64 image (target ≤ 50 ms on CPU), for a grid of 4 samples;
 *   - ACE evaluation throughput (samples/s, each sample rendered twice: ablated and inserted);
 *   - causal unit search time for one concept.
 * Usage: npm run bench:interventions [-- --samples N]
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { tmpDir } from '../fixtures/models';
import { dissect } from '../../extension/engine/dissect/dissect';
import { loadProject, demoProjectFile } from '../../extension/shared/project';
import { PreviewSession } from '../../extension/engine/intervene/preview';
import { runAce, runCausal } from '../../extension/engine/intervene/jobs';
import { iouRanking } from '../../extension/shared/run/rankings';
import { RunFolder } from '../../extension/shared/run/folder';

// (the dissection bench's options, e.g. --memory-samples, are passed to this one too: strict off)
const { values } = parseArgs({ options: { samples: { type: 'string' }, layer: { type: 'string' } }, strict: false });

async function main(): Promise<void> {
  const samples = Number(values.samples ?? 100);
  const layer = typeof values.layer === 'string' ? values.layer : 'layer3';
  const project = loadProject(demoProjectFile());
  const out = path.join(tmpDir('gd-bench-'), 'run');
  await dissect({
    generator: project.generator,
    segmenter: project.segmenter!,
    out,
    samples: 200,
    layers: [layer],
    threshold: 'quantile',
    provider: 'auto',
  });
  const from = new RunFolder(out).from(layer);
  const concept = from.layer.summary.concepts[0]?.label ?? 'sky';
  const units = iouRanking(from, concept).slice(0, 10);
  console.log(`demo model ${layer} [${from.layer.shape.join('×')}], concept "${concept}", units ${units.join(',')}`);

  const session = await PreviewSession.open({ runId: out, layer, samples: 4, seed: 7 });
  await session.preview({ units, mode: 'ablate', strength: 1, mask: null }); // warm-up
  const times: number[] = [];
  for (let i = 0; i < 20; i++) {
    const spec = {
      units: units.slice(0, 1 + (i % units.length)),
      mode: (i % 2 ? 'ablate' : 'insert') as 'ablate' | 'insert',
      strength: 1,
      concept,
      mask: null,
    };
    times.push((await session.preview(spec)).msPerImage);
  }
  times.sort((a, b) => a - b);
  console.log(`preview: median ${times[10].toFixed(1)} ms per image, p90 ${times[18].toFixed(1)} ms (grid of 4; target ≤ 50 ms)`);

  const model = { generator: project.generator, segmenter: project.segmenter!, layer, provider: 'auto' as const, from: out, seed: 3, batch: 16 };
  let t0 = Date.now();
  const ace = await runAce({ ...model, concept, units, samples });
  const aceS = (Date.now() - t0) / 1000;
  console.log(
    `ACE of ${units.length} units on ${concept}: ${ace.ace.toFixed(3)} (removed ${ace.removed.toFixed(3)}, added ${ace.added.toFixed(3)}); ${samples} samples in ${aceS.toFixed(1)} s = ${(samples / aceS).toFixed(1)} samples/s`,
  );

  t0 = Date.now();
  const causal = await runCausal({ ...model, concept, count: 10, samples: 50, searchSamples: 16, out: path.join(out, 'causal') });
  const cs = (Date.now() - t0) / 1000;
  console.log(
    `causal search for "${concept}" (${from.layer.shape[0]} units, 10 chosen, 16 search samples, 50 evaluation samples): ${cs.toFixed(1)} s`,
  );
  console.log(
    `  causal ACE ${causal.ace.ace.toFixed(3)} vs IoU ranking ACE ${causal.iouAce?.ace.toFixed(3)}; removed at 10 units: causal ${causal.curves.ace[9]?.toFixed(3)}, IoU ${causal.curves.iou?.[9]?.toFixed(3)}`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
