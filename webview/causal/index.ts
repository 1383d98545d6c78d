/** Entry of the causal panel's webview bundle (dist/webview/causal.js): the page's body only loads this script. */
import { registerComponents } from '../shared/components';
import type { CausalProtocol } from '../../extension/shared/webview/causal';
import { connectHost } from '../shared/host';
import { CausalApp } from './causal-app';

registerComponents();
const app = new CausalApp();
app.host = connectHost<CausalProtocol>();
document.body.append(app);
