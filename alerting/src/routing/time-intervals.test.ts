// Cases from Alertmanager's documentation of `<time_interval_spec>` (docs/configuration.md);
// each test quotes the behaviour it checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compileTimeInterval,
  intervalContains,
  TimeIntervalSpecSchema,
  type TimeIntervalSpec,
} from './time-intervals.js';

const contains = (spec: TimeIntervalSpec, iso: string) =>
  intervalContains(compileTimeInterval(TimeIntervalSpecSchema.parse(spec)), Date.parse(iso));

describe('time intervals', () => {
  it('"start_time: 17:00 and end_time: 24:00 will begin at 17:00 and finish immediately before 24:00"', () => {
    const evening = { times: [{ startTime: '17:00', endTime: '24:00' }] };
    assert.equal(contains(evening, '2024-05-06T16:59:00Z'), false);
    assert.equal(contains(evening, '2024-05-06T17:00:00Z'), true);
    assert.equal(contains(evening, '2024-05-06T23:59:59Z'), true);
    assert.equal(contains(evening, '2024-05-07T00:00:00Z'), false);
  });

  it('"the week begins on Sunday"; ranges such as monday:wednesday are inclusive on both ends', () => {
    const spec = { weekdays: ['monday:wednesday', 'saturday', 'Sunday'] };
    assert.equal(contains(spec, '2024-05-05T12:00:00Z'), true, 'Sunday');
    assert.equal(contains(spec, '2024-05-08T23:00:00Z'), true, 'Wednesday');
    assert.equal(contains(spec, '2024-05-09T00:00:00Z'), false, 'Thursday');
    assert.equal(contains(spec, '2024-05-11T00:00:00Z'), true, 'Saturday');
  });

  it('"Negative values ... begin at the end of the month, e.g. -1 during January would represent January 31"', () => {
    assert.equal(contains({ daysOfMonth: ['-1'] }, '2024-01-31T08:00:00Z'), true);
    assert.equal(contains({ daysOfMonth: ['-1'] }, '2024-01-30T08:00:00Z'), false);
    assert.equal(contains({ daysOfMonth: ['-3:-1'] }, '2023-02-26T08:00:00Z'), true, 'Feb 26-28 in a common year');
    assert.equal(contains({ daysOfMonth: ['-3:-1'] }, '2023-02-25T08:00:00Z'), false);
    assert.equal(contains({ daysOfMonth: ['1:5'] }, '2024-03-05T23:59:00Z'), true);
    assert.equal(contains({ daysOfMonth: ['1:5'] }, '2024-03-06T00:00:00Z'), false);
  });

  it('"specifying 1:31 during February will clamp the actual end date to 28 or 29"', () => {
    assert.equal(contains({ daysOfMonth: ['1:31'] }, '2024-02-29T10:00:00Z'), true);
    assert.equal(
      contains({ daysOfMonth: ['30:31'] }, '2024-02-29T10:00:00Z'),
      false,
      'a range starting after the month is skipped',
    );
  });

  it('months by case-insensitive name or number, ranges inclusive: 1:3, may:august, december', () => {
    const spec = { months: ['1:3', 'May:august', 'december'] };
    for (const [iso, inside] of [
      ['2024-03-31T00:00:00Z', true],
      ['2024-04-15T00:00:00Z', false],
      ['2024-08-31T00:00:00Z', true],
      ['2024-09-01T00:00:00Z', false],
      ['2024-12-01T00:00:00Z', true],
    ] as const) {
      assert.equal(contains(spec, iso), inside, iso);
    }
  });

  it('years: 2020:2022 and 2030, inclusive', () => {
    const spec = { years: ['2020:2022', '2030'] };
    assert.equal(contains(spec, '2022-12-31T23:59:00Z'), true);
    assert.equal(contains(spec, '2023-01-01T00:00:00Z'), false);
    assert.equal(contains(spec, '2030-06-01T00:00:00Z'), true);
  });

  it('"For an instant of time to match a complete time interval, all fields must match"', () => {
    const xmas = { months: ['december'], daysOfMonth: ['24:26'] };
    assert.equal(contains(xmas, '2024-12-25T10:00:00Z'), true);
    assert.equal(contains(xmas, '2024-11-25T10:00:00Z'), false);
    assert.equal(contains(xmas, '2024-12-27T10:00:00Z'), false);
  });

  it('location: 9:00-17:00 Monday to Friday "using the local time in Sydney, Australia"; UTC when none is given', () => {
    const office = { times: [{ startTime: '09:00', endTime: '17:00' }], weekdays: ['monday:friday'] };
    // 2024-05-06 is a Monday; Sydney is UTC+10 in May.
    assert.equal(
      contains({ ...office, location: 'Australia/Sydney' }, '2024-05-05T23:30:00Z'),
      true,
      '09:30 Monday in Sydney',
    );
    assert.equal(contains(office, '2024-05-05T23:30:00Z'), false, '23:30 Sunday in UTC');
    assert.equal(
      contains({ ...office, location: 'Australia/Sydney' }, '2024-05-06T07:00:00Z'),
      false,
      '17:00 Monday in Sydney',
    );
  });

  it('refuses what Alertmanager refuses', () => {
    const issues = (spec: unknown) => {
      const r = TimeIntervalSpecSchema.safeParse(spec);
      return r.success ? [] : r.error.issues.map((i) => i.message);
    };
    assert.deepEqual(issues({ times: [{ startTime: '17:00', endTime: '09:00' }] }), [
      'start time cannot be equal or greater than end time',
    ]);
    assert.deepEqual(issues({ times: [{ startTime: '9:00', endTime: '17:00' }] }), [
      'a time HH:MM from 00:00 to 24:00',
    ]);
    assert.deepEqual(issues({ weekdays: ['funday'] }), ['funday is not a valid weekday']);
    assert.deepEqual(issues({ weekdays: ['friday:monday'] }), ['start day cannot be before end day']);
    assert.deepEqual(issues({ daysOfMonth: ['-3:5'] }), ['end day must be negative if start day is negative']);
    assert.deepEqual(issues({ daysOfMonth: ['0'] }), ['0 is not a valid day of the month: out of range']);
    assert.deepEqual(issues({ months: ['august:may'] }), ['end month may is before start month august']);
    assert.deepEqual(issues({ location: 'Mars/Olympus' }), ['unknown time zone Mars/Olympus']);
  });
});
