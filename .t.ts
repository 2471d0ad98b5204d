import * as fs from 'fs'; import * as os from 'os'; import * as path from 'path';
import { importEstate, formatImportReport } from './lib/import';
const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ss-')); fs.copyFileSync(process.argv[2], path.join(d, 'app.yaml'));
const r = importEstate(d, { platform: 'sock-shop', cluster: 'demo' });
console.log(r.program); console.log(formatImportReport(r));
