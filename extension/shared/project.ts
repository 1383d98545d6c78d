/**
 * Project files (`*.dissect.json`, README: "A project file"): the generator, the segmenter and their conventions,
 * default dissection settings, and where the generator's Python source is (the file and class whose modules its
 * layers are: hover and CodeLens go there), kept beside the models. Paths are relative to the project file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GeneratorSpec, SegmenterSpec } from './models';
import type { DissectSettings } from './run/schema';
import { DissectError } from './errors';
import { checkSection, DISSECT_SETTINGS, GENERATOR_SPEC, SEGMENTER_SPEC, object, str } from './settings-check';
import { writeAtomic } from './run/blob';

/** A project file's sections (shared/settings-check.ts checks each key). */
const PROJECT = {
  file: () => 'is set by the extension, not in the file',
  generator: object(GENERATOR_SPEC, ['path']),
  segmenter: object(SEGMENTER_SPEC, ['path', 'labels']),
  dissect: object(DISSECT_SETTINGS),
  source: object<GeneratorSource>({ file: str, class: str }, ['file', 'class']),
};

/** The Python class that defines the generator: `{"file": "models/gan.py", "class": "Generator"}`. */
export interface GeneratorSource {
  /** The .py file (absolute once loaded; relative to the project file in the file). */
  file: string;
  /** The class's qualified name (`Generator`, `Outer.Generator`). */
  class: string;
}

export interface Project {
  file?: string;
  generator: GeneratorSpec;
  segmenter?: SegmenterSpec;
  dissect?: DissectSettings;
  source?: GeneratorSource;
}

export function loadProject(file: string): Project {
  if (!fs.existsSync(file)) throw new DissectError('file-missing', `project file not found: ${file}`);
  let j: unknown;
  try {
    j = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DissectError('bad-usage', `${file} is not valid JSON: ${(e as Error).message}`);
  }
  const p = checkSection<Partial<Project>>(j, PROJECT, file, undefined, ['generator']);
  const dir = path.dirname(path.resolve(file));
  const rel = (f: string) => path.resolve(dir, f);
  const project: Project = { file: path.resolve(file), generator: { ...p.generator!, path: rel(p.generator!.path) } };
  if (p.segmenter) {
    project.segmenter = { ...p.segmenter, path: rel(p.segmenter.path), labels: rel(p.segmenter.labels) };
  }
  if (p.dissect) project.dissect = p.dissect;
  if (p.source) project.source = { file: rel(p.source.file), class: p.source.class };
  return project;
}

/** Writes a project file for the given models, with paths relative to it. */
export function saveProject(file: string, project: Project): void {
  const dir = path.dirname(path.resolve(file));
  const rel = (f: string) => path.relative(dir, f) || '.';
  const out: Project = { generator: { ...project.generator, path: rel(project.generator.path) } };
  if (project.segmenter) out.segmenter = { ...project.segmenter, path: rel(project.segmenter.path), labels: rel(project.segmenter.labels) };
  if (project.dissect) out.dissect = project.dissect;
  if (project.source) out.source = { file: rel(project.source.file), class: project.source.class };
  writeAtomic(file, JSON.stringify(out, null, 2) + '\n');
}

/** The bundled demo model's project file (media/demo), relative to the built CLI or the sources. */
export function demoProjectFile(): string {
  const candidates = [
    path.resolve(__dirname, '..', 'media', 'demo', 'demo.dissect.json'),
    path.resolve(__dirname, '..', '..', 'media', 'demo', 'demo.dissect.json'),
    path.resolve(__dirname, '..', '..', '..', 'media', 'demo', 'demo.dissect.json'),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) throw new DissectError('file-missing', `the bundled demo model is missing (looked for ${candidates[0]})`);
  return found;
}
