import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run } from '../../cli/main';
import { recordingIo } from '../cli/fake-io';

const CONFIG = `
environments:
  - { name: prod-eu, account: "111122223333", region: eu-west-2 }
  - { name: dr-us, account: "444455556666", region: us-east-1 }
rules:
  - { prefix: k8s, upstream: k8s }
  - { prefix: quay, upstream: quay }
replication:
  destinations:
    - { region: us-east-1, account: "444455556666" }
    # Managed elsewhere: this config deploys nothing there (no replica stack), so the plan prints the statement.
    - { region: ap-south-1, account: "999988887777", prefixes: [k8s], templates: false }
  acceptFrom: ["555566667777"]
scanning: { type: ENHANCED, frequency: CONTINUOUS_SCAN }
`;

function configFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ptc-plan-rs-'));
  const file = path.join(dir, 'ptc.yaml');
  writeFileSync(file, text);
  return file;
}

describe('ptc plan: replication, registry policy and scanning', () => {
  test('prints each replication rule and what every cross-account destination needs', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--config', configFile(CONFIG)], io)).toBe(0);
    const [euPart, usPart] = io.out.split('Environment dr-us');
    expect(euPart).toContain('  replication  k8s/, quay/ -> 444455556666/us-east-1 (cross-account)');
    expect(euPart).toContain('  replication  k8s/ -> 999988887777/ap-south-1 (cross-account)');
    expect(euPart).toContain(
      'cross-account destination 444455556666/us-east-1 needs its registry policy to allow ecr:CreateRepository, ecr:ReplicateImage from this account:\n    deployed by environment dr-us of this config',
    );
    expect(euPart).toContain(
      'not deployed by this config: add replication.acceptFrom: ["111122223333"] to the config that deploys 999988887777/ap-south-1',
    );
    expect(euPart).toContain(
      '{"Sid":"PtcAutopilotReplicationAccess","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root"]},"Action":["ecr:CreateRepository","ecr:ReplicateImage"],"Resource":["arn:aws:ecr:ap-south-1:999988887777:repository/k8s/*"]}',
    );
    expect(euPart).toContain('  scanning     ENHANCED, CONTINUOUS_SCAN on k8s/*, quay/*');
    expect(usPart).toContain('  registry policy  accepts replication from 111122223333, 555566667777 into k8s/*, quay/*');
  });

  test('--json carries the same under registrySettings, absent for a config without them', async () => {
    const io = recordingIo();
    expect(await run(['plan', '--config', configFile(CONFIG), '--json'], io)).toBe(0);
    const plan = JSON.parse(io.out);
    expect(plan.environments[0].registrySettings.replication.crossAccountDestinations).toEqual([
      expect.objectContaining({ region: 'us-east-1', registryId: '444455556666', prefixes: ['k8s', 'quay'], deployedBy: 'dr-us' }),
      expect.objectContaining({ region: 'ap-south-1', registryId: '999988887777', prefixes: ['k8s'] }),
    ]);
    expect(plan.environments[0].registrySettings.replication.crossAccountDestinations[1].deployedBy).toBeUndefined();
    expect(plan.environments[1].registrySettings.registryPolicy).toEqual({
      acceptsReplicationFrom: ['111122223333', '555566667777'],
      repositoryArns: ['arn:aws:ecr:us-east-1:444455556666:repository/k8s/*', 'arn:aws:ecr:us-east-1:444455556666:repository/quay/*'],
    });

    const plain = recordingIo();
    await run(
      ['plan', '--config', configFile('account: "111122223333"\nregion: eu-west-2\nrules: [{ prefix: k8s, upstream: k8s }]\n'), '--json'],
      plain,
    );
    expect(JSON.parse(plain.out).environments[0]).not.toHaveProperty('registrySettings');
  });

  test('says what the hub grants for first pulls: per kind of principal, the prefixes sharing them', async () => {
    const io = recordingIo();
    const hub = [
      'account: "444455556666"',
      'region: us-east-1',
      'rules: [{ prefix: k8s, upstream: k8s }, { prefix: quay, upstream: quay }]',
      'repositories:',
      '  pullAccounts: ["222233334444"]',
      '  pullOrganizationalUnits: ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111"]',
      '  overrides: [{ prefix: quay, pullAccounts: ["777788889999"] }]',
      '',
    ].join('\n');
    expect(await run(['plan', '--config', configFile(hub)], io)).toBe(0);
    expect(io.out).toContain(
      '  registry policy  first pulls (ecr:CreateRepository, ecr:BatchImportUpstreamImage) into k8s/* by accounts 222233334444\n',
    );
    expect(io.out).toContain(
      '  registry policy  first pulls (ecr:CreateRepository, ecr:BatchImportUpstreamImage) into quay/* by accounts 777788889999\n',
    );
    expect(io.out).toContain(
      '  registry policy  first pulls (ecr:CreateRepository, ecr:BatchImportUpstreamImage) into k8s/*, quay/* by members of OUs (and their child OUs) o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/\n',
    );
    expect(io.out).not.toContain('accepts replication from');
  });
});
