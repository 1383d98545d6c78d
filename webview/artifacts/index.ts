/** Entry of the artifacts panel's webview bundle (dist/webview/artifacts.js): the page's body only loads this script. */
import { registerComponents } from '../shared/components';
import type { ArtifactsProtocol } from '../../extension/shared/webview/artifacts';
import { connectHost } from '../shared/host';
import { ArtifactsApp } from './artifacts-app';

registerComponents();
const app = new ArtifactsApp();
app.host = connectHost<ArtifactsProtocol>();
document.body.append(app);
