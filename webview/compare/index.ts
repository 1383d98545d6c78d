/** Entry of the compare panel's webview bundle (dist/webview/compare.js): the page's body only loads this script. */
import { registerComponents } from '../shared/components';
import type { CompareProtocol } from '../../extension/shared/webview/compare';
import { connectHost } from '../shared/host';
import { CompareApp } from './compare-app';

registerComponents();
const app = new CompareApp();
app.host = connectHost<CompareProtocol>();
document.body.append(app);
