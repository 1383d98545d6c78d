import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'gan-dissection.gan-dissection';

describe('smoke', () => {
  it('the extension is present and activates', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} not found (extensionDevelopmentPath wrong, or engines.vscode refused?)`);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers the command ganDissection.listLayers', async () => {
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('ganDissection.listLayers'), 'ganDissection.listLayers is not registered');
  });

  it('registers every command the manifest contributes', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (ext.packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((c) => !registered.has(c)),
      [],
    );
  });

  it('opens the walkthrough', async () => {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#ganDissection.start`, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('opens the fixture workspace (train.py)', async () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, `expected one workspace folder, got ${folders.length}`);
    const found = await vscode.workspace.findFiles('train.py');
    assert.equal(found.length, 1, 'train.py not found in the workspace folder');
    const doc = await vscode.workspace.openTextDocument(found[0]);
    assert.equal(doc.languageId, 'python');
    assert.match(doc.getText(), /self\.layer3 = nn\.Sequential\(/);
  });
});
