/**
 * A classic-BPF seccomp filter for user code, built in TypeScript so that
 * neither libseccomp nor a compiler is needed. bwrap loads it with
 * `--seccomp FD`; the Lambda launcher loads it with prctl(PR_SET_SECCOMP).
 *
 * What it denies, and why:
 * - sockets other than AF_UNIX: no network, and in Lambda the runtime API on
 *   127.0.0.1 (which would let user code read or answer other invocations)
 *   stays reachable without this;
 * - new namespaces (unshare, setns, clone with CLONE_NEW*), and clone3,
 *   whose flags live in memory a filter cannot read (ENOSYS makes glibc fall
 *   back to clone, which is checked);
 * - reaching into other processes of the same user (in Lambda the runtime,
 *   which holds the socket to the Runtime API, is one): ptrace,
 *   process_vm_readv/writev, process_madvise, pidfd_open and pidfd_getfd
 *   (which copies another process's file descriptor), kcmp;
 * - kernel attack surface no program here needs: bpf, perf, io_uring,
 *   userfaultfd, keyrings, the mount API, modules, kexec, clocks, reboot;
 * - every other syscall ABI (i386, x32): their numbers differ, so a filter
 *   for one ABI would not cover them.
 */

export type SeccompArch = 'x64' | 'arm64';

const EPERM = 1;
const ENOSYS = 38;
const AF_UNIX = 1;
/** CLONE_NEWNS | NEWCGROUP | NEWUTS | NEWIPC | NEWUSER | NEWPID | NEWNET. */
const CLONE_NAMESPACE_FLAGS = 0x7e020000;
const X32_SYSCALL_BIT = 0x40000000;

const SECCOMP_RET_KILL_PROCESS = 0x80000000;
const SECCOMP_RET_ERRNO = 0x00050000;
const SECCOMP_RET_ALLOW = 0x7fff0000;

// Classic BPF opcodes.
const LD_W_ABS = 0x20;
const JEQ_K = 0x15;
const JGE_K = 0x35;
const JSET_K = 0x45;
const RET_K = 0x06;

// Offsets in struct seccomp_data: nr, arch, instruction_pointer, args[6].
const OFFSET_NR = 0;
const OFFSET_ARCH = 4;
/** Low 32 bits of args[0] (little-endian on both supported arches). */
const OFFSET_ARG0_LOW = 16;

interface ArchTable {
  auditArch: number;
  socket: number;
  clone: number;
  clone3: number;
  denied: Record<string, number>;
  rejectX32: boolean;
}

const sharedNewSyscalls = {
  io_uring_setup: 425,
  io_uring_enter: 426,
  io_uring_register: 427,
  open_tree: 428,
  move_mount: 429,
  fsopen: 430,
  fsconfig: 431,
  fsmount: 432,
  fspick: 433,
  pidfd_open: 434,
  pidfd_getfd: 438,
  process_madvise: 440,
  mount_setattr: 442,
  process_mrelease: 448,
};

const archTables: Record<SeccompArch, ArchTable> = {
  x64: {
    auditArch: 0xc000003e,
    socket: 41,
    clone: 56,
    clone3: 435,
    rejectX32: true,
    denied: {
      ptrace: 101, syslog: 103, uselib: 134, vhangup: 153, pivot_root: 155,
      adjtimex: 159, chroot: 161, acct: 163, settimeofday: 164, mount: 165,
      umount2: 166, swapon: 167, swapoff: 168, reboot: 169, sethostname: 170,
      setdomainname: 171, iopl: 172, ioperm: 173, init_module: 175,
      delete_module: 176, quotactl: 179, lookup_dcookie: 212, clock_settime: 227,
      kexec_load: 246, add_key: 248, request_key: 249, keyctl: 250, unshare: 272,
      perf_event_open: 298, fanotify_init: 300, name_to_handle_at: 303,
      open_by_handle_at: 304, clock_adjtime: 305, setns: 308,
      process_vm_readv: 310, process_vm_writev: 311, kcmp: 312, finit_module: 313,
      kexec_file_load: 320, bpf: 321, userfaultfd: 323,
      ...sharedNewSyscalls,
    },
  },
  arm64: {
    auditArch: 0xc00000b7,
    socket: 198,
    clone: 220,
    clone3: 435,
    rejectX32: false,
    denied: {
      lookup_dcookie: 18, umount2: 39, mount: 40, pivot_root: 41, chroot: 51,
      vhangup: 58, quotactl: 60, acct: 89, unshare: 97, kexec_load: 104,
      init_module: 105, delete_module: 106, clock_settime: 112, syslog: 116,
      ptrace: 117, reboot: 142, sethostname: 161, setdomainname: 162,
      settimeofday: 170, adjtimex: 171, add_key: 217, request_key: 218, keyctl: 219,
      swapon: 224, swapoff: 225, perf_event_open: 241, fanotify_init: 262,
      name_to_handle_at: 264, open_by_handle_at: 265, clock_adjtime: 266, setns: 268,
      process_vm_readv: 270, process_vm_writev: 271, kcmp: 272, finit_module: 273,
      kexec_file_load: 294, bpf: 280, userfaultfd: 282,
      ...sharedNewSyscalls,
    },
  },
};

interface Instruction {
  code: number;
  jt: number;
  jf: number;
  k: number;
}

const stmt = (code: number, k: number): Instruction => ({ code, jt: 0, jf: 0, k });
const jump = (code: number, k: number, jt: number, jf: number): Instruction => ({ code, jt, jf, k });
const ret = (value: number): Instruction => stmt(RET_K, value);
const errno = (code: number): number => SECCOMP_RET_ERRNO | code;

/** The seccomp program for `arch`, serialized as struct sock_filter[] (8 bytes each). */
export function buildSeccompFilter(arch: SeccompArch): Buffer {
  const table = archTables[arch];
  const deniedNumbers = [...new Set(Object.values(table.denied))];

  const program: Instruction[] = [
    stmt(LD_W_ABS, OFFSET_ARCH),
    jump(JEQ_K, table.auditArch, 1, 0),
    ret(SECCOMP_RET_KILL_PROCESS),
    stmt(LD_W_ABS, OFFSET_NR),
  ];
  if (table.rejectX32) {
    program.push(jump(JGE_K, X32_SYSCALL_BIT, 0, 1), ret(SECCOMP_RET_KILL_PROCESS));
  }
  // Each denied syscall: "if nr == N return EPERM", as a jump over one return.
  for (const nr of deniedNumbers) {
    program.push(jump(JEQ_K, nr, 0, 1), ret(errno(EPERM)));
  }
  program.push(jump(JEQ_K, table.clone3, 0, 1), ret(errno(ENOSYS)));
  // socket(domain, ...): only AF_UNIX.
  program.push(
    jump(JEQ_K, table.socket, 0, 4),
    stmt(LD_W_ABS, OFFSET_ARG0_LOW),
    jump(JEQ_K, AF_UNIX, 0, 1),
    ret(SECCOMP_RET_ALLOW),
    ret(errno(EPERM)),
  );
  // clone(flags, ...): no namespace flags. The accumulator still holds nr here.
  program.push(
    jump(JEQ_K, table.clone, 0, 3),
    stmt(LD_W_ABS, OFFSET_ARG0_LOW),
    jump(JSET_K, CLONE_NAMESPACE_FLAGS, 0, 1),
    ret(errno(EPERM)),
    ret(SECCOMP_RET_ALLOW),
  );

  const buffer = Buffer.alloc(program.length * 8);
  program.forEach((instruction, index) => {
    const offset = index * 8;
    buffer.writeUInt16LE(instruction.code, offset);
    buffer.writeUInt8(instruction.jt, offset + 2);
    buffer.writeUInt8(instruction.jf, offset + 3);
    buffer.writeUInt32LE(instruction.k >>> 0, offset + 4);
  });
  return buffer;
}

/** The filter for the machine we run on, or null where no table exists (then refuse to run). */
export function seccompArchOf(nodeArch: string): SeccompArch | null {
  return nodeArch === 'x64' || nodeArch === 'arm64' ? nodeArch : null;
}
