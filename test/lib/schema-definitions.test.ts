import Ajv from 'ajv';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KUBERNETES_DEFINITIONS, SchemaValidator } from '../../lib/schema';

// The validator does not check the shipped Kubernetes definitions against JSON Schema's meta-schema when it is
// built (that took most of its build time): this test does, once.
describe('the shipped Kubernetes definitions', () => {
  it('are valid JSON Schema', () => {
    const ajv = new Ajv({ strict: false });
    const doc = JSON.parse(fs.readFileSync(KUBERNETES_DEFINITIONS, 'utf8')) as { definitions: object };
    expect(ajv.validateSchema({ $id: 'k8s', definitions: doc.definitions })).toBe(true);
  });
});

describe('CRD files read on demand', () => {
  const ecosystem = path.join(__dirname, '..', '..', 'schemas', 'ecosystem');
  const certificate = { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web', namespace: 'shop' }, spec: { secretName: 'web-tls', issuerRef: { name: 'letsencrypt' } } };

  it('finds the schema of a kind in a folder of CRD files, and of none that is not there', () => {
    const v = SchemaValidator.create();
    v.addCrdFolder(ecosystem);
    expect(v.validate(certificate)).toEqual([]);
    expect(v.validate({ ...certificate, spec: { ...certificate.spec, unknown: 1 } })).toEqual([expect.objectContaining({ message: 'unknown field "unknown"' })]);
    expect(v.hasSchema('monitoring.coreos.com/v1', 'ServiceMonitor')).toBe(true);
    expect(v.hasSchema('example.com/v1', 'Widget')).toBe(false);
    expect(v.validate({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([expect.objectContaining({ message: 'no schema for example.com/v1 Widget' })]);
  });

  it('takes a kind defined in two files from the file added last, whichever is read first', () => {
    const file = path.join(ecosystem, 'cert-manager.io_certificates.yaml');
    const text = fs.readFileSync(file, 'utf8');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crds-'));
    try {
      // The second file defines Certificate with a schema that allows any field, and mentions no other kind.
      const loose = path.join(dir, 'loose.yaml');
      fs.writeFileSync(loose, ['apiVersion: apiextensions.k8s.io/v1', 'kind: CustomResourceDefinition', 'metadata:', '  name: certificates.cert-manager.io', 'spec:', '  group: cert-manager.io', '  names:', '    kind: Certificate', '  versions:', '  - name: v1', '    served: true', '    schema:', '      openAPIV3Schema:', '        type: object', '        x-kubernetes-preserve-unknown-fields: true', ''].join('\n'));
      expect(text).toContain('Certificate');
      const v = SchemaValidator.create();
      v.addCrdFile(file);
      v.addCrdFile(loose);
      expect(v.validate({ ...certificate, spec: { unknown: 1 } })).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
