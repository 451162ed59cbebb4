import { describe, expect, it } from 'vitest';
import { DRIVER_FORMATS } from '@hotstandby/core';
import { DRIVER_FORMAT_HELP } from '../../src/commands/env-command.js';

describe('env --format help', () => {
  it("names exactly the library's driver formats, in its order", () => {
    expect(DRIVER_FORMAT_HELP.split(', ')).toEqual([...DRIVER_FORMATS]);
  });
});
