import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatValue, renderAnnotations, renderTemplate } from './templating.js';

describe('annotation templates', () => {
  it('fills in the value and labels', () => {
    assert.equal(
      renderTemplate('{{ $labels.service }} error rate is {{$value}} ({{ $labels.missing }})', {
        value: 0.123456,
        labels: { service: 'checkout' },
      }),
      'checkout error rate is 0.1235 ()',
    );
  });

  it('leaves anything else alone, including look-alike expressions', () => {
    const t = '{{ .Values }} {{ $labels["x"] }} {{ constructor }}';
    assert.equal(renderTemplate(t, { value: 1, labels: { x: 'y' } }), t);
  });

  it('formats values', () => {
    assert.equal(formatValue(null), 'no data');
    assert.equal(formatValue(42), '42');
    assert.equal(formatValue(1234.5678), '1235');
  });

  it('renders every annotation', () => {
    assert.deepEqual(renderAnnotations({ summary: '{{ $value }} rps' }, { value: 3, labels: {} }), {
      summary: '3 rps',
    });
  });
});
