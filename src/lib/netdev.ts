// Linux network device names, as the kernel's dev_valid_name() accepts them
// (net/core/dev.c): at most 15 bytes, not '.' or '..', no '/', ':' or
// whitespace. One rule for the command line, the config and the poller.
import type { Result } from './result';
import { err, ok } from './result';

/** IFNAMSIZ - 1 */
export const MAX_DEVICE_NAME = 15;

export function checkDeviceName(s: string): Result<string> {
  if (Buffer.byteLength(s) > MAX_DEVICE_NAME) return err(`is longer than ${MAX_DEVICE_NAME} characters (the kernel limit)`);
  if (s === '.' || s === '..' || /[/:\s]/.test(s)) return err("is not a valid Linux device name (no '/', ':' or spaces)");
  return ok(s);
}

export const isDeviceName = (s: string): boolean => s !== '' && checkDeviceName(s).ok;
