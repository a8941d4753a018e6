import assert from 'node:assert/strict';
import { test } from 'node:test';
import { errorBody, formatFloat, successBody } from '../src/index.js';

// Go's number formatting, which Prometheus' JSON is made of.

test("FormatFloat(v, 'f', -1, 64): shortest digits without exponent; NaN, ±Inf, -0", () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '-0'],
    [1, '1'],
    [0.1, '0.1'],
    [1 / 3, '0.3333333333333333'],
    [1e21, '1000000000000000000000'],
    [1e-7, '0.0000001'],
    [123456789.125, '123456789.125'],
    [-2.5e-10, '-0.00000000025'],
    [5e-324, '0.' + '0'.repeat(323) + '5'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [1.7976931348623157e308, '17976931348623157' + '0'.repeat(292)],
  ];
  for (const [v, s] of cases) assert.equal(formatFloat(v, 'f'), s, String(v));
});

test("FormatFloat(v, 'e', -1, 64): at least two exponent digits", () => {
  assert.equal(formatFloat(1e-7, 'e'), '1e-07');
  assert.equal(formatFloat(1.5e21, 'e'), '1.5e+21');
  assert.equal(formatFloat(-1.2345e-300, 'e'), '-1.2345e-300');
});

test('sample values switch to the exponent form below 1e-6 and from 1e21, timestamps keep three decimals', () => {
  const body = successBody({
    resultType: 'vector',
    result: [
      { metric: [{ name: 'a', value: 'x' }], t: 1705318800100, v: 1e-7 },
      { metric: [], t: 1705318800000, v: 2e21 },
      { metric: [], t: 1705318800007, v: 0.000001 },
    ],
  });
  assert.equal(
    body,
    '{"status":"success","data":{"resultType":"vector","result":[' +
      '{"metric":{"a":"x"},"value":[1705318800.100,"1e-07"]},' +
      '{"metric":{},"value":[1705318800,"2e+21"]},' +
      '{"metric":{},"value":[1705318800.007,"0.000001"]}]}}',
  );
});

test('scalars print their time as a JSON float and their value without exponent', () => {
  assert.equal(
    successBody({ resultType: 'scalar', result: { t: 1705318800100, v: 1e-7 } }),
    '{"status":"success","data":{"resultType":"scalar","result":[1705318800.1,"0.0000001"]}}',
  );
});

test('strings are escaped as Go does: HTML characters and control characters as \\u00XX', () => {
  assert.equal(
    errorBody('bad_data', 'a<b>&"c"\u0008\n\u2028'),
    '{"status":"error","errorType":"bad_data","error":"a\\u003cb\\u003e\\u0026\\"c\\"\\u0008\\n\\u2028"}',
  );
});
