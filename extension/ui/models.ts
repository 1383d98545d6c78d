/**
 * The models the user opened (project files), remembered per workspace, with their layers (asked of the
 * engine once) and their runs on disk; and the checkpoint series on disk (a training folder watched).
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadProject, saveProject, type GeneratorSource, type Project } from '../shared/project';
import type { LayerInfo } from '../shared/models';
import type { EngineClient } from '../engine-process/client';
import { listRuns, type RunInfo } from './run-index';
import { listSeries, type SeriesInfo } from './series-index';
import { resultsRoot } from './config';

export interface OpenModel {
  /** The project file (the model's identity). */
  projectFile: string;
  project: Project;
  name: string;
  layers?: LayerInfo[];
  layersError?: string;
}

const STATE_KEY = 'ganDissection.openModels';
/** Sources set in this workspace for project files the extension does not write (the bundled demo's). */
const SOURCES_KEY = 'ganDissection.generatorSources';

export class ModelRegistry {
  private models: OpenModel[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly engine: EngineClient,
  ) {
    for (const file of context.workspaceState.get<string[]>(STATE_KEY, [])) {
      try {
        if (fs.existsSync(file)) this.models.push(this.make(file));
      } catch {
        // a project file that no longer reads: forget it
      }
    }
  }

  private make(projectFile: string): OpenModel {
    const project = loadProject(projectFile);
    return { projectFile, project, name: path.basename(project.generator.path) };
  }

  all(): readonly OpenModel[] {
    return this.models;
  }

  find(idOrFile: string | undefined): OpenModel | undefined {
    if (!idOrFile) return this.models[0];
    const abs = path.resolve(idOrFile);
    return this.models.find((m) => m.projectFile === abs || m.project.generator.path === abs || m.name === idOrFile);
  }

  async open(projectFile: string): Promise<OpenModel> {
    const abs = path.resolve(projectFile);
    let m = this.models.find((x) => x.projectFile === abs);
    if (!m) {
      m = this.make(abs);
      this.models.unshift(m);
      await this.context.workspaceState.update(
        STATE_KEY,
        this.models.map((x) => x.projectFile),
      );
    }
    await this.loadLayers(m);
    this.changed.fire();
    return m;
  }

  async close(m: OpenModel): Promise<void> {
    this.models = this.models.filter((x) => x !== m);
    await this.context.workspaceState.update(
      STATE_KEY,
      this.models.map((x) => x.projectFile),
    );
    this.changed.fire();
  }

  async loadLayers(m: OpenModel): Promise<LayerInfo[]> {
    if (m.layers) return m.layers;
    try {
      m.layers = (await this.engine.layers({ generator: m.project.generator })).layers;
      m.layersError = undefined;
    } catch (e) {
      m.layersError = (e as Error).message;
      throw e;
    } finally {
      this.changed.fire();
    }
    return m.layers;
  }

  runs(m: OpenModel): RunInfo[] {
    return listRuns(resultsRoot(this.context), m.project.generator.path);
  }

  /** The checkpoint series in the results folder, newest first. */
  series(): SeriesInfo[] {
    return listSeries(resultsRoot(this.context));
  }

  refresh(): void {
    this.changed.fire();
  }

  /** The Python class that defines the model's generator: its project file's "source", else one set in this workspace. */
  source(m: OpenModel): GeneratorSource | undefined {
    return m.project.source ?? this.context.workspaceState.get<Record<string, GeneratorSource>>(SOURCES_KEY, {})[m.projectFile];
  }

  /**
   * Links the model to its source: written into its project file ("source", relative to it), except for a
   * project file inside the extension (the bundled demo, replaced on every update) or one that cannot be
   * written, whose link is kept in this workspace. Says where it went.
   */
  async setSource(m: OpenModel, source: GeneratorSource): Promise<'project' | 'workspace'> {
    const inExtension = !path.relative(this.context.extensionPath, m.projectFile).startsWith('..');
    let where: 'project' | 'workspace' = 'workspace';
    if (!inExtension) {
      try {
        saveProject(m.projectFile, { ...m.project, source });
        m.project = { ...m.project, source };
        where = 'project';
      } catch {
        // read-only: kept in the workspace instead
      }
    }
    if (where === 'workspace') {
      const all = { ...this.context.workspaceState.get<Record<string, GeneratorSource>>(SOURCES_KEY, {}), [m.projectFile]: source };
      await this.context.workspaceState.update(SOURCES_KEY, all);
    }
    this.changed.fire();
    return where;
  }
}
