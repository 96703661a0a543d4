import { effectiveSettings, organizationalUnitPathProblem, parseConfig, pullPrincipals } from '../../core';

describe('pull principals', () => {
  test('the settings and the consumers are unioned, sorted and deduplicated, OU paths normalized', () => {
    const config = parseConfig({
      account: '111122223333',
      region: 'eu-west-2',
      rules: [{ prefix: 'k8s', upstream: 'k8s' }],
      repositories: {
        pullAccounts: ['444455556666'],
        pullOrganizations: ['o-a1b2c3d4e5'],
        pullOrganizationalUnits: ['o-a1b2c3d4e5/r-ab12/ou-ab12-22222222', 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/'],
      },
      consumers: {
        accounts: [
          { name: 'payments', account: '222233334444' },
          { name: 'billing', account: '444455556666' },
        ],
        organizationalUnits: ['o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/'],
        regions: ['eu-west-2'],
      },
    });
    expect(pullPrincipals(effectiveSettings(config, 'k8s'))).toEqual({
      accounts: ['222233334444', '444455556666'],
      organizations: ['o-a1b2c3d4e5'],
      organizationalUnitPaths: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', 'o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/'],
    });
  });

  test('an override replaces the OU list of its prefix, like pullAccounts', () => {
    const config = parseConfig({
      account: '111122223333',
      region: 'eu-west-2',
      rules: [
        { prefix: 'k8s', upstream: 'k8s' },
        { prefix: 'quay', upstream: 'quay' },
      ],
      repositories: {
        pullOrganizationalUnits: ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111'],
        overrides: [{ prefix: 'quay', pullOrganizationalUnits: [] }],
      },
    });
    expect(pullPrincipals(effectiveSettings(config, 'k8s')).organizationalUnitPaths).toEqual(['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/']);
    expect(pullPrincipals(effectiveSettings(config, 'quay')).organizationalUnitPaths).toEqual([]);
  });

  test.each([
    ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/', undefined],
    ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111', undefined],
    // The example of the AWS Systems Manager API reference (NodeOwnerInfo.OrganizationalUnitPath), nested OUs.
    ['o-a1b2c3d4e5/r-f6g7h8i9j0example/ou-ghi0-awsccccc/ou-jkl0-awsddddd/', /"ou-ghi0-awsccccc" is not in root "r-f6g7h8i9j0example"/],
    ['o-a1b2c3d4e5/r-ab12/', /must be an OU path/],
    [
      `o-a1b2c3d4e5/r-ab12/${Array.from({ length: 6 }, (_, i) => `ou-ab12-1111111${i}`).join('/')}/`,
      /nests 6 OUs; AWS Organizations nests OUs at most 5 levels deep/,
    ],
    ['o-a1b2c3d4e5/r-ab12/ou-ab12-11111111//', /"" is not an OU ID/],
    ['O-A1B2C3D4E5/r-ab12/ou-ab12-11111111/', /"O-A1B2C3D4E5" is not an organization ID/],
  ])('OU path %s', (path, problem) => {
    const found = organizationalUnitPathProblem(path);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });
});
