/** Entry of the layer panel's webview bundle (dist/webview/layer.js): the page's body only loads this script. */
import { registerComponents } from '../shared/components';
import { connectHost } from '../shared/host';
import { LayerApp } from './layer-app';

registerComponents();
const app = new LayerApp();
app.host = connectHost();
document.body.append(app);
