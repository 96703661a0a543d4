import type { Logger } from '@aws-lambda-powertools/logger';
import { powertoolsLog } from '../../functions/shared/runtime';

describe('powertoolsLog', () => {
  test('forwards each level to the Powertools Logger with its attributes, an empty object when none', () => {
    const calls: [string, string, unknown][] = [];
    const record = (level: string) => (message: string, attributes: unknown) => calls.push([level, message, attributes]);
    const fake = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') } as unknown as Logger;
    const log = powertoolsLog(fake);
    log.debug('d', { prefix: 'k8s' });
    log.info('i');
    log.warn('w', { repositoryName: 'k8s/pause' });
    log.error('e', { reason: 'boom' });
    expect(calls).toEqual([
      ['debug', 'd', { prefix: 'k8s' }],
      ['info', 'i', {}],
      ['warn', 'w', { repositoryName: 'k8s/pause' }],
      ['error', 'e', { reason: 'boom' }],
    ]);
  });
});
