import { describe, expect, it } from 'vitest';
import { errorAt, feedbackAt, fieldErrors } from './field-errors.js';

describe('field errors', () => {
  const errors = fieldErrors([
    { path: ['condition', 'threshold', 'value'], message: 'expected a number' },
    { path: ['condition', 'threshold', 'value'], message: 'second message' },
    { path: ['labels', 'bad key'], message: 'a label name' },
    { path: [], message: 'whole rule' },
  ]);

  it('keeps the first message per path', () => {
    expect(errors).toEqual({
      'condition.threshold.value': 'expected a number',
      'labels.bad key': 'a label name',
      '': 'whole rule',
    });
  });

  it("finds a field's own message or one inside it", () => {
    expect(errorAt(errors, 'condition.threshold.value')).toBe('expected a number');
    expect(errorAt(errors, 'condition.threshold')).toBe('expected a number');
    expect(errorAt(errors, 'labels')).toBe('a label name');
    expect(errorAt(errors, 'name')).toBeUndefined();
  });

  it('gives a form item its feedback only when the field is wrong', () => {
    expect(feedbackAt(errors, 'labels')).toEqual({ feedback: 'a label name', validationStatus: 'error' });
    expect(feedbackAt(errors, 'name')).toEqual({});
  });
});
