import { expect, test } from 'vitest';
import { decodeNvmlValue } from '../src/telemetry/nvml.js';

test('nvmlValue_t is decoded by its value type tag at offset 32 of nvmlFieldValue_t', () => {
  const buf = Buffer.alloc(40);
  buf.writeUInt32LE(186, 0);
  buf.writeUInt32LE(1, 24); // NVML_VALUE_TYPE_UNSIGNED_INT
  buf.writeUInt32LE(512_345, 32); // mW
  expect(decodeNvmlValue(buf, 32, buf.readUInt32LE(24))).toBe(512_345);
  buf.writeDoubleLE(411.5, 32);
  expect(decodeNvmlValue(buf, 32, 0)).toBe(411.5);
  buf.writeBigUInt64LE(123_456_789_012n, 32);
  expect(decodeNvmlValue(buf, 32, 3)).toBe(123_456_789_012);
  expect(Number.isNaN(decodeNvmlValue(buf, 32, 9))).toBe(true);
});
