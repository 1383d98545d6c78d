/**
 * The models the user opened (project files), remembered per workspace, with their layers (asked of the
 * engine once) and their runs on disk; and the checkpoint series on disk (a training folder watched).
 */
import * as vscode from 'vscode';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadProject, type Project } from '../shared/project';
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
}
