import { describe, expect, it } from 'vitest';
import { isVerifyProbe, probeWrite } from '../../src/probe-write.js';

describe('isVerifyProbe', () => {
  it("recognises both of verify's probe writes (INSERT on a replayed standby, CREATE TABLE on a delayed one) and nothing else", () => {
    expect(isVerifyProbe(probeWrite('hotstandby_verify_0a1b2c3d', true))).toBe(true);
    expect(isVerifyProbe(probeWrite('hotstandby_verify_0a1b2c3d', false))).toBe(true);
    expect(isVerifyProbe('CREATE TABLE public."hotstandby_verify_0a1b2c3d_probe" (id int)')).toBe(true);
    expect(isVerifyProbe('CREATE TABLE public."orders_probe" (id int)')).toBe(false);
    expect(isVerifyProbe('INSERT INTO orders VALUES ($1)')).toBe(false);
    expect(isVerifyProbe('CREATE TABLE public."hotstandby_verify_0a1b2c3d_probe" (id int); DROP TABLE orders')).toBe(false);
  });
});
