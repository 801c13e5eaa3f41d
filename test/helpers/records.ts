// Eligibility records for the pure rule tests: one default record, overridable field by field.

import type { EligibilityRecord } from '../../src/domain/types.js';

/** A maker of records with their own ids (1, 2, ...), over these defaults. */
export function recordMaker(defaults: Partial<EligibilityRecord> = {}): (over?: Partial<EligibilityRecord>) => EligibilityRecord {
  let nextId = 1;
  return (over = {}) => ({
    id: nextId++,
    studentId: 7,
    schoolYear: 2027,
    startDate: '2026-08-01',
    endDate: '2027-06-30',
    eligibility: 'F',
    source: 'nonDirect',
    certifiedType: 'APP_F',
    applicationName: null,
    referenceNumber: null,
    ...defaults,
    ...over,
  });
}
