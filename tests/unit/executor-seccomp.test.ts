import { describe, expect, it } from 'vitest';
import { buildSeccompFilter, seccompArchOf, type SeccompArch } from '../../amplify/executor/seccomp-filter.js';

/**
 * The seccomp filter, run through a small classic-BPF interpreter on
 * hand-made seccomp_data, so each verdict is checked without a kernel.
 * (The integration tests check the same denials for real, inside bwrap.)
 */

const ALLOW = 0x7fff0000;
const KILL_PROCESS = 0x80000000;
const errno = (code: number) => 0x00050000 | code;
const EPERM = 1;
const ENOSYS = 38;

const AUDIT_ARCH = { x64: 0xc000003e, arm64: 0xc00000b7 } as const;
const I386 = 0x40000003;
const NR = {
  x64: { read: 0, socket: 41, clone: 56, ptrace: 101, mount: 165, unshare: 272, setns: 308, bpf: 321, clone3: 435, io_uring_setup: 425, keyctl: 250 },
  arm64: { read: 63, socket: 198, clone: 220, ptrace: 117, mount: 40, unshare: 97, setns: 268, bpf: 280, clone3: 435, io_uring_setup: 425, keyctl: 219 },
} as const;

/** Runs the filter on seccomp_data { nr, arch, ip = 0, args }. */
function verdict(filter: Buffer, nr: number, arch: number, args: number[] = []): number {
  const data = Buffer.alloc(64);
  data.writeInt32LE(nr, 0);
  data.writeUInt32LE(arch, 4);
  args.forEach((arg, i) => data.writeUInt32LE(arg >>> 0, 16 + i * 8));
  let accumulator = 0;
  for (let pc = 0; pc < filter.length / 8; pc++) {
    const code = filter.readUInt16LE(pc * 8);
    const jt = filter.readUInt8(pc * 8 + 2);
    const jf = filter.readUInt8(pc * 8 + 3);
    const k = filter.readUInt32LE(pc * 8 + 4);
    switch (code) {
      case 0x20: accumulator = data.readUInt32LE(k); break; // ld [k]
      case 0x06: return k; // ret k
      case 0x15: pc += accumulator === k ? jt : jf; break; // jeq
      case 0x35: pc += accumulator >= k ? jt : jf; break; // jge
      case 0x45: pc += (accumulator & k) !== 0 ? jt : jf; break; // jset
      default: throw new Error(`unexpected opcode ${code.toString(16)} at ${pc}`);
    }
  }
  throw new Error('fell off the end of the filter');
}

describe.each(['x64', 'arm64'] as SeccompArch[])('the seccomp filter on %s', (arch) => {
  const filter = buildSeccompFilter(arch);
  const audit = AUDIT_ARCH[arch];
  const nr = NR[arch];

  it('is a whole number of sock_filter instructions, short enough for every jump', () => {
    expect(filter.length % 8).toBe(0);
    expect(filter.length / 8).toBeLessThan(256);
  });

  it('allows ordinary system calls', () => {
    expect(verdict(filter, nr.read, audit)).toBe(ALLOW);
  });

  it('allows AF_UNIX sockets and refuses every other family (no network)', () => {
    expect(verdict(filter, nr.socket, audit, [1])).toBe(ALLOW);
    for (const family of [2, 10, 16, 17]) expect(verdict(filter, nr.socket, audit, [family])).toBe(errno(EPERM));
  });

  it('refuses new namespaces through clone, unshare and setns, and clone3 as not implemented', () => {
    expect(verdict(filter, nr.clone, audit, [0x11 /* SIGCHLD | a thread flag */])).toBe(ALLOW);
    expect(verdict(filter, nr.clone, audit, [0x10000000 | 17])).toBe(errno(EPERM)); // CLONE_NEWUSER
    expect(verdict(filter, nr.clone, audit, [0x40000000 | 17])).toBe(errno(EPERM)); // CLONE_NEWNET
    expect(verdict(filter, nr.unshare, audit)).toBe(errno(EPERM));
    expect(verdict(filter, nr.setns, audit)).toBe(errno(EPERM));
    expect(verdict(filter, nr.clone3, audit)).toBe(errno(ENOSYS));
  });

  it('refuses kernel attack surface: ptrace, bpf, io_uring, keyrings, mount', () => {
    for (const call of [nr.ptrace, nr.bpf, nr.io_uring_setup, nr.keyctl, nr.mount]) {
      expect(verdict(filter, call, audit)).toBe(errno(EPERM));
    }
  });

  it('refuses reaching into another process: ptrace, process_vm_*, process_madvise, pidfd_open, pidfd_getfd', () => {
    const calls = { x64: [101, 310, 311, 440, 434, 438, 448], arm64: [117, 270, 271, 440, 434, 438, 448] }[arch];
    for (const call of calls) expect(verdict(filter, call, audit)).toBe(errno(EPERM));
  });

  it('kills a process that switches to another syscall ABI', () => {
    expect(verdict(filter, nr.read, I386)).toBe(KILL_PROCESS);
  });
});

describe('the x86_64 filter', () => {
  it('kills x32 system calls, whose numbers would bypass the table', () => {
    expect(verdict(buildSeccompFilter('x64'), 0x40000000 + 41, AUDIT_ARCH.x64)).toBe(KILL_PROCESS);
  });
});

describe('seccompArchOf', () => {
  it('knows x64 and arm64 only', () => {
    expect(seccompArchOf('x64')).toBe('x64');
    expect(seccompArchOf('arm64')).toBe('arm64');
    expect(seccompArchOf('ia32')).toBeNull();
  });
});
