/** Entry of the intervention panel's webview bundle (dist/webview/intervene.js): the page's body only loads this script. */
import { registerComponents } from '../shared/components';
import type { InterveneProtocol } from '../../extension/shared/webview/intervene';
import { connectHost } from '../shared/host';
import { InterveneApp } from './intervene-app';

registerComponents();
const app = new InterveneApp();
app.host = connectHost<InterveneProtocol>();
document.body.append(app);
