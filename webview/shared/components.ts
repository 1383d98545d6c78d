/**
 * Registers the web components the apps use. This is the only module that imports the component library,
 * so swapping @vscode/webview-ui-toolkit (archived in 2025) for @vscode-elements/elements is a one-file
 * change: the apps only use the tags <vscode-button>, <vscode-text-field>, <vscode-checkbox>,
 * <vscode-panels>/<vscode-panel-tab>/<vscode-panel-view>, <vscode-progress-ring> and <vscode-badge>.
 */
import {
  provideVSCodeDesignSystem,
  vsCodeBadge,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
  vsCodeProgressRing,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

let registered = false;

export function registerComponents(): void {
  if (registered) return;
  registered = true;
  provideVSCodeDesignSystem().register(
    vsCodeBadge(),
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodePanels(),
    vsCodePanelTab(),
    vsCodePanelView(),
    vsCodeProgressRing(),
    vsCodeTextField(),
  );
}
