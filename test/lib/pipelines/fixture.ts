/**
 * The pipelines' test fixture: the platform fixture with delivery configured, a release-managers department
 * (alice, bob) and a service `api`, and a pipeline with every kind of stage.
 */
import { CiSystem, Credential, StageAnchor, Target } from 'platform-cdk';
import type { AppService, DeliveryOptions, Department, PipelineProps } from 'platform-cdk';
import { addService, fixture } from '../../fixture';
import type { Fixture } from '../../fixture';

/** The fixture with delivery configured. */
export type Delivered = Fixture & { releaseManagers: Department; api: AppService };

/**
 * The fixture with delivery through one CI system.
 * @param ci the CI system
 * @param estateCredential the id of the estate repository's credential
 * @param delivery more delivery options
 * @param target the platform's target
 */
export function deliveredWith(ci: CiSystem, estateCredential: string, delivery: Partial<DeliveryOptions> = {}, target?: Target): Delivered {
  const f = fixture(target);
  f.platform.configureDelivery({ estate: { repository: 'https://gitlab.example.com/platform/estate.git', credential: Credential.basicAuth(estateCredential) }, ci: [ci], ...delivery });
  const releaseManagers = f.tenant.addDepartment('release-managers', { members: ['alice', 'bob'] });
  return { ...f, releaseManagers, api: addService(f, 'api') };
}

/** A pipeline with every kind of stage. */
export function fullProps(f: Fixture & { releaseManagers: Department }, overrides: Partial<PipelineProps> = {}): PipelineProps {
  return {
    source: { repository: 'https://gitlab.example.com/shop/api.git', credential: Credential.basicAuth('gitlab') },
    build: { image: f.registry.image('ci/maven', '3.9.9-eclipse-temurin-17'), commands: ['mvn -B -DskipTests package'] },
    unitTests: { commands: ['mvn -B test'], report: 'target/surefire-reports/*.xml' },
    registryCredential: Credential.basicAuth('harbor-robot'),
    scan: true,
    approval: { approvers: f.releaseManagers },
    testsAfter: { test: { image: f.registry.image('ci/newman', '6.1.3'), commands: ['newman run tests/api.postman.json'], report: 'newman/*.xml' } },
    notify: { email: ['shop-dev@example.com'], webhook: Credential.secretText('shop-chat') },
    extraStages: [{ name: 'static analysis', after: StageAnchor.BUILD, commands: ['mvn -B spotbugs:check'] }],
    ...overrides,
  };
}
