import { ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { handleEvent } from '../../functions/reconcile-repository/run';
import { startFakeEcrServer } from './fake-ecr-server';
import { FakeRegistry, REGION } from './fake-registry';
import { fixture, testDeps } from './helpers';

// ECR is real here (no mockClient(ECRClient) in this file): it talks HTTP to the fake registry on 127.0.0.1.
const eventsMock = mockClient(EventBridgeClient);

test('the client the Lambda builds retries a throttled call itself (adaptive mode), so one event still configures the repository', async () => {
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  const registry = new FakeRegistry();
  registry.add('docker-hub/alpine');
  const server = await startFakeEcrServer(registry, { throttleFirst: { GetLifecyclePolicy: 1, TagResource: 1 } });
  const ecr = new ECRClient({
    region: REGION,
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    retryMode: 'adaptive',
    maxAttempts: 5,
  });
  try {
    const { deps, metrics } = testDeps(ecr, new EventBridgeClient({ region: REGION }));
    expect(await handleEvent(fixture('ecr-pull-through-cache-action'), deps)).toEqual({
      status: 'configured',
      repositoryName: 'docker-hub/alpine',
      writes: 4,
    });
    expect(server.stats.throttled).toBe(2);
    expect(registry.calls.get('GetLifecyclePolicy')).toBe(1);
    expect(registry.get('docker-hub/alpine').tags['ptc-autopilot:managed']).toBe('true');
    expect(metrics.Failures).toBe(0);
  } finally {
    ecr.destroy();
    await server.close();
  }
});
