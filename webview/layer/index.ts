/** Entry of the layer panel's webview bundle (dist/webview/layer.js): the page's body only loads this script. */
import { registerComponents } from '../shared/components';
import type { LayerProtocol } from '../../extension/shared/webview/layer';
import { connectHost } from '../shared/host';
import { LayerApp } from './layer-app';

registerComponents();
const app = new LayerApp();
app.host = connectHost<LayerProtocol>();
document.body.append(app);
