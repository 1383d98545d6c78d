/** Entry of the unit panel's webview bundle (dist/webview/unit.js): the page's body only loads this script. */
import { registerComponents } from '../shared/components';
import type { UnitProtocol } from '../../extension/shared/webview/unit';
import { connectHost } from '../shared/host';
import { UnitApp } from './unit-app';

registerComponents();
const app = new UnitApp();
app.host = connectHost<UnitProtocol>();
document.body.append(app);
