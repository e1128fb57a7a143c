import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Observation, Patient } from '@medplum/fhirtypes';
import { createAccessContext, roles, type Role } from './access-context.ts';
import { actions, decide, type Action } from './policy.ts';

function contextFor(role: Role) {
  return createAccessContext({ actor: { type: role === 'system' ? 'system' : 'user', id: `${role}-1` }, role, ...(role === 'member' ? { personId: 'me' } : {}) });
}

/**
 * The expected policy, written out independently of policyTable: for each role, the
 * actions allowed on a Patient (administrative), a Claim (financial), an Observation
 * (clinical) and the AuditEvent trail. Member rows assume the member's own record.
 */
const expected: Record<Role, Record<'Patient' | 'Claim' | 'Observation' | 'AuditEvent', Action[]>> = {
  admin: {
    Patient: [...actions],
    Claim: [...actions],
    Observation: [...actions],
    AuditEvent: ['read', 'search', 'export'],
  },
  'care-manager': {
    Patient: ['read', 'search', 'history', 'create', 'update'],
    Claim: ['read', 'search', 'history', 'create', 'update'],
    Observation: ['read', 'search', 'history', 'create', 'update'],
    AuditEvent: [],
  },
  'service-agent': {
    Patient: ['read', 'search', 'history', 'create', 'update'],
    Claim: ['read', 'search', 'history', 'create', 'update'],
    Observation: [],
    AuditEvent: [],
  },
  auditor: { Patient: [], Claim: [], Observation: [], AuditEvent: ['read', 'search', 'export'] },
  member: {
    Patient: ['read', 'search', 'history'],
    Claim: ['read', 'search', 'history'],
    Observation: ['read', 'search', 'history'],
    AuditEvent: [],
  },
  system: {
    Patient: [...actions],
    Claim: [...actions],
    Observation: [...actions],
    AuditEvent: [],
  },
};

const ownRecord = {
  Patient: { resourceType: 'Patient', id: 'me' } as Patient,
  Claim: { resourceType: 'Claim', patient: { reference: 'Patient/me' } },
  Observation: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/me' } } as Observation,
  AuditEvent: undefined,
};

describe('access policy', () => {
  for (const role of roles) {
    for (const [type, allowed] of Object.entries(expected[role])) {
      test(`${role} on ${type}: may ${allowed.join(', ') || 'nothing'}`, () => {
        const ctx = contextFor(role);
        for (const action of actions) {
          const resource = role === 'member' ? (ownRecord[type as keyof typeof ownRecord] as never) : undefined;
          const decision = decide(ctx, action, type, resource);
          assert.equal(decision.allowed, allowed.includes(action), `${role} ${action} ${type}: ${JSON.stringify(decision)}`);
        }
      });
    }
  }

  test("a member is refused another person's record, and a read that names no resource", () => {
    const member = contextFor('member');
    const theirs: Observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/someone-else' } };
    const decision = decide(member, 'read', 'Observation', theirs);
    assert.equal(decision.allowed, false);
    assert.match((decision as { reason: string }).reason, /outside the record of Patient\/me/);
    assert.equal(decide(member, 'read', 'Observation').allowed, false);
    assert.equal(decide(member, 'read', 'Patient', { resourceType: 'Patient', id: 'someone-else' }).allowed, false);
  });

  test('compartment membership follows the CompartmentDefinition, not only `subject`', () => {
    const member = contextFor('member');
    const immunization = { resourceType: 'Immunization', patient: { reference: 'Patient/me' } } as never;
    const coverage = { resourceType: 'Coverage', beneficiary: { reference: 'Patient/me' } } as never;
    const practitioner = { resourceType: 'Practitioner', id: 'dr-1' } as never;
    assert.equal(decide(member, 'read', 'Immunization', immunization).allowed, true);
    assert.equal(decide(member, 'read', 'Coverage', coverage).allowed, true);
    assert.equal(decide(member, 'read', 'Practitioner', practitioner).allowed, false);
  });

  test('a member context must name its person', () => {
    assert.throws(() => createAccessContext({ actor: { type: 'user', id: 'm' }, role: 'member' }), /personId/);
  });
});
