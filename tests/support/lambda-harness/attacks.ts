import type { Language, RunResult } from '../../../src/protocol/code.js';

/**
 * Hostile programs for the executor in a Lambda-like runtime, in Python, C++
 * and Java, with what each attack must end in. Shared by the Lambda-like
 * harness in `npm test` (tests/integration/executor-lambda-runtime.test.ts)
 * and the image workflow's smoke test (smoke-attacks.ts), so both attack the
 * same way.
 *
 * Each program prints one line per attack: `<name> blocked <detail>` or
 * `<name> LEAK <what it got>`. User code's parent is the runtime (the
 * launcher execs the program), so $PPID is the process holding the socket to
 * the Runtime API.
 */

export interface AttackTargets {
  /** Port of the Runtime API on 127.0.0.1 (Lambda: 9001). */
  runtimeApiPort: number;
  /** Another loopback service nothing should reach. */
  otherPort: number;
  /** Read-only code directory (Lambda: /var/task). */
  taskRoot: string;
  /**
   * The /proc scan reads every process of the code's own user (the runtime's: the only one
   * holding anything of the function). Processes it leaves out besides, e.g. the runtime interface emulator
   * (pid 1 in the smoke test), which keeps the credentials docker gave it in
   * its own environment; Lambda's own init is outside the image.
   */
  skipPids?: readonly number[];
}

/** An attack's expected outcome: blocked, and when given, with exactly this detail. */
type Expected = { detail?: string };

export interface AttackProgram {
  name: string;
  language: Language;
  source: string;
  /** Every attack line the program must print, and how it must end. */
  expected: Record<string, Expected>;
}

const blocked = (detail?: string): Expected => (detail === undefined ? {} : { detail });

export function lambdaAttacks(targets: AttackTargets): AttackProgram[] {
  const fill = (source: string, quote: (pid: number) => string): string =>
    source
      .replaceAll('RUNTIME_API_PORT', String(targets.runtimeApiPort))
      .replaceAll('OTHER_PORT', String(targets.otherPort))
      .replaceAll('TASK_ROOT', JSON.stringify(targets.taskRoot))
      .replaceAll('SKIP_PIDS', (targets.skipPids ?? []).map(quote).join(', '));
  const quoted = (pid: number): string => JSON.stringify(String(pid));
  const EACCES = 'errno=13 Permission denied';
  const EPERM_SOCKET = 'errno=1 Operation not permitted';
  return [
    {
      name: 'python',
      language: 'python',
      source: fill(PYTHON, quoted),
      expected: {
        'parent-environ': blocked(EACCES),
        'parent-mem': blocked(EACCES),
        'parent-fds': blocked(EACCES),
        'parent-maps': blocked(EACCES),
        'ptrace-attach': blocked('errno=1'),
        pidfd_open: blocked('errno=1'),
        pidfd_getfd: blocked('errno=1'),
        process_vm_readv: blocked('errno=1'),
        'proc-scan': blocked(),
        ...Object.fromEntries(
          ['runtime-api', 'other-loopback'].flatMap((name) =>
            ['127.0.0.1', '::1', 'localhost'].map((host) => [`${name}-${host}`, blocked(EPERM_SOCKET)]),
          ),
        ),
        'inet-datagram-socket': blocked(EPERM_SOCKET),
        'write-/etc/streamcanvas-attack': blocked(),
        [`write-${targets.taskRoot}/planted`]: blocked(),
        'write-/usr/local/streamcanvas-attack': blocked(),
        'write-/var/streamcanvas-attack': blocked(),
      },
    },
    {
      name: 'cpp',
      language: 'cpp',
      source: fill(CPP, quoted),
      expected: {
        'parent-environ': blocked('errno=13'),
        'parent-mem': blocked('errno=13'),
        pidfd_open: blocked('errno=1'),
        pidfd_getfd: blocked('errno=1'),
        'ptrace-attach': blocked('errno=1'),
        process_vm_readv: blocked('errno=1'),
        'proc-scan': blocked(),
        'runtime-api': blocked('errno=1'),
        'other-loopback': blocked('errno=1'),
        'write-etc': blocked(),
      },
    },
    {
      name: 'java',
      language: 'java',
      source: fill(JAVA, quoted),
      expected: {
        'parent-environ': blocked('AccessDeniedException'),
        'parent-mem': blocked('FileNotFoundException'),
        'proc-scan': blocked(),
        'runtime-api': blocked('Operation_not_permitted'),
        'other-loopback': blocked('Operation_not_permitted'),
        'write-etc': blocked(),
      },
    },
  ];
}

const ATTACK_LINE = /^(\S+) (blocked|LEAK) ?(.*)$/;

/** What is wrong with an attack program's result; empty when every attack failed as expected. */
export function attackProblems(program: AttackProgram, result: RunResult): string[] {
  if (result.status !== 'ok') {
    return [`${program.name}: status ${result.status}: ${result.compileOutput ?? ''}${result.stderr}${result.message ?? ''}`];
  }
  const seen = new Map<string, { verdict: string; detail: string }>();
  for (const line of result.stdout.split('\n')) {
    const match = ATTACK_LINE.exec(line);
    if (match) seen.set(match[1]!, { verdict: match[2]!, detail: match[3]! });
  }
  const problems: string[] = [];
  for (const [name, outcome] of seen) {
    if (outcome.verdict === 'LEAK') problems.push(`${program.name}: ${name} succeeded: ${outcome.detail}`);
    else if (!(name in program.expected)) problems.push(`${program.name}: unexpected attack line ${name}`);
  }
  for (const [name, expected] of Object.entries(program.expected)) {
    const outcome = seen.get(name);
    if (!outcome) problems.push(`${program.name}: ${name} printed nothing`);
    else if (outcome.verdict === 'blocked' && expected.detail !== undefined && outcome.detail !== expected.detail) {
      problems.push(`${program.name}: ${name} failed with "${outcome.detail}", expected "${expected.detail}"`);
    }
  }
  return problems;
}

const PYTHON = String.raw`
import ctypes, os, platform, socket
libc = ctypes.CDLL(None, use_errno=True)
parent = os.getppid()
KEYS = [b"AWS_ACCESS_KEY_ID=", b"AWS_SECRET_ACCESS_KEY=", b"AWS_SESSION_TOKEN="]
def report(name, leaked, detail):
    print(name, "LEAK" if leaked else "blocked", detail)
def attempt(name, action):
    try:
        report(name, True, repr(action())[:400])
    except OSError as error:
        report(name, False, "errno=%d %s" % (error.errno, error.strerror))
def syscall_errno(name, *args):
    result = libc.syscall(*args)
    if result >= 0:
        report(name, True, "returned %d" % result)
    else:
        report(name, False, "errno=%d" % ctypes.get_errno())
def read(path):
    with open(path, "rb") as f:
        return f.read()
def open_mem():
    os.close(os.open("/proc/%d/mem" % parent, os.O_RDWR))
    return "opened read-write"
attempt("parent-environ", lambda: read("/proc/%d/environ" % parent))
attempt("parent-mem", open_mem)
attempt("parent-fds", lambda: os.listdir("/proc/%d/fd" % parent))
attempt("parent-maps", lambda: read("/proc/%d/maps" % parent)[:200])
x64 = platform.machine() == "x86_64"
syscall_errno("ptrace-attach", 101 if x64 else 117, 16, parent, 0, 0)
syscall_errno("pidfd_open", 434, parent, 0)
syscall_errno("pidfd_getfd", 438, 0, 3, 0)
syscall_errno("process_vm_readv", 310 if x64 else 270, parent, 0, 0, 0, 0, 0)
leaks = []
readable = 0
def same_user(pid):
    try:
        return int(read("/proc/%s/status" % pid).split(b"\nUid:")[1].split()[0]) == os.getuid()
    except (OSError, IndexError, ValueError):
        return False
for pid in [p for p in os.listdir("/proc") if p.isdigit() and p not in [SKIP_PIDS] and same_user(p)]:
    for name in ("environ", "cmdline"):
        try:
            data = read("/proc/%s/%s" % (pid, name))
        except OSError:
            continue
        readable += 1
        for entry in data.split(b"\0"):
            if any(key in entry for key in KEYS):
                leaks.append("%s/%s: %r" % (pid, name, entry))
report("proc-scan", bool(leaks), "%d readable; %s" % (readable, leaks))
for name, port in (("runtime-api", RUNTIME_API_PORT), ("other-loopback", OTHER_PORT)):
    for host in ("127.0.0.1", "::1", "localhost"):
        attempt("%s-%s" % (name, host), lambda: socket.create_connection((host, port), timeout=2))
attempt("inet-datagram-socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
for path in ["/etc/streamcanvas-attack", TASK_ROOT + "/planted", "/usr/local/streamcanvas-attack", "/var/streamcanvas-attack"]:
    attempt("write-" + path, lambda: open(path, "w").write("x"))
`;

const CPP = String.raw`
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

static void report(const char* name, bool leaked, const std::string& detail) {
  printf("%s %s %s\n", name, leaked ? "LEAK" : "blocked", detail.c_str());
}
static std::string errnoText() { return "errno=" + std::to_string(errno); }
static bool readAll(const std::string& path, std::string& out) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return false;
  char buffer[65536];
  ssize_t n;
  out.clear();
  while ((n = read(fd, buffer, sizeof buffer)) > 0) out.append(buffer, n);
  close(fd);
  return n >= 0;
}

int main() {
  pid_t parent = getppid();
  std::string proc = "/proc/" + std::to_string(parent), data;
  if (readAll(proc + "/environ", data)) report("parent-environ", true, data.substr(0, 400)); else report("parent-environ", false, errnoText());
  int mem = open((proc + "/mem").c_str(), O_RDWR);
  if (mem >= 0) report("parent-mem", true, "opened"); else report("parent-mem", false, errnoText());
  long pidfd = syscall(434 /* pidfd_open */, parent, 0);
  if (pidfd >= 0) report("pidfd_open", true, "got a pidfd"); else report("pidfd_open", false, errnoText());
  long stolen = -1;
  int lastErrno = 0;
  for (int fd = 0; fd < 64 && stolen < 0; fd++) {
    stolen = syscall(438 /* pidfd_getfd */, pidfd >= 0 ? pidfd : 0, fd, 0);
    lastErrno = errno;
  }
  errno = lastErrno;
  if (stolen >= 0) report("pidfd_getfd", true, "copied a descriptor"); else report("pidfd_getfd", false, errnoText());
  if (ptrace(PTRACE_ATTACH, parent, nullptr, nullptr) == 0) report("ptrace-attach", true, "attached"); else report("ptrace-attach", false, errnoText());
  char local[64];
  struct iovec here = { local, sizeof local }, there = { (void*) 0x400000, sizeof local };
  if (process_vm_readv(parent, &here, 1, &there, 1, 0) >= 0) report("process_vm_readv", true, "read"); else report("process_vm_readv", false, errnoText());

  int readable = 0;
  std::string leaks;
  DIR* dir = opendir("/proc");
  while (struct dirent* entry = readdir(dir)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    bool skip = false;
    for (const char* pid : { "", SKIP_PIDS }) skip = skip || std::string(pid) == entry->d_name;
    if (skip) continue;
    // Only processes of our own user (the runtime's): others' are the machine's business.
    std::string status;
    if (!readAll(std::string("/proc/") + entry->d_name + "/status", status)) continue;
    size_t uidAt = status.find("\nUid:");
    if (uidAt == std::string::npos || std::stoul(status.substr(uidAt + 5)) != getuid()) continue;
    for (const char* file : { "/environ", "/cmdline" }) {
      if (!readAll(std::string("/proc/") + entry->d_name + file, data)) continue;
      readable++;
      for (const char* key : { "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=" }) {
        size_t at = data.find(key);
        if (at != std::string::npos) leaks += std::string(entry->d_name) + file + ": " + data.substr(at, 120) + "; ";
      }
    }
  }
  closedir(dir);
  report("proc-scan", !leaks.empty(), std::to_string(readable) + " readable; " + leaks);

  for (int port : { RUNTIME_API_PORT, OTHER_PORT }) {
    const char* name = port == RUNTIME_API_PORT ? "runtime-api" : "other-loopback";
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0) { report(name, false, errnoText()); continue; }
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s, (sockaddr*) &address, sizeof address) == 0) report(name, true, "connected"); else report(name, false, errnoText());
  }
  int outside = open("/etc/streamcanvas-attack", O_WRONLY | O_CREAT, 0644);
  if (outside >= 0) report("write-etc", true, "created"); else report("write-etc", false, errnoText());
}
`;

const JAVA = String.raw`
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class Main {
  static void report(String name, boolean leaked, String detail) {
    System.out.println(name + (leaked ? " LEAK " : " blocked ") + detail);
  }

  public static void main(String[] args) throws Exception {
    long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
    try {
      byte[] environ = Files.readAllBytes(Path.of("/proc/" + parent + "/environ"));
      report("parent-environ", true, new String(environ).substring(0, Math.min(400, environ.length)));
    } catch (Exception e) {
      report("parent-environ", false, e.getClass().getSimpleName());
    }
    try (RandomAccessFile mem = new RandomAccessFile("/proc/" + parent + "/mem", "rw")) {
      report("parent-mem", true, "opened");
    } catch (Exception e) {
      report("parent-mem", false, e.getClass().getSimpleName());
    }
    List<String> leaks = new ArrayList<>();
    int readable = 0;
    try (var pids = Files.list(Path.of("/proc"))) {
      java.util.Set<String> skip = java.util.Set.of(SKIP_PIDS);
      long uid = (Integer) Files.getAttribute(Path.of("/proc/self/status"), "unix:uid");
      for (Path pid : pids.filter(p -> p.getFileName().toString().matches("\\d+") && !skip.contains(p.getFileName().toString())).toList()) {
        // Only processes of our own user (the runtime's): others' are the machine's business.
        try {
          String status = Files.readString(pid.resolve("status"));
          int at = status.indexOf("\nUid:");
          if (at < 0 || Long.parseLong(status.substring(at + 5).trim().split("\\s+")[0]) != uid) continue;
        } catch (Exception e) {
          continue;
        }
        for (String file : new String[] { "environ", "cmdline" }) {
          try {
            String text = new String(Files.readAllBytes(pid.resolve(file)));
            readable++;
            for (String key : new String[] { "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "AWS_SESSION_TOKEN=" }) {
              int at = text.indexOf(key);
              if (at >= 0) leaks.add(pid + "/" + file + ": " + text.substring(at, Math.min(text.length(), at + 120)));
            }
          } catch (Exception e) {
            // not ours to read
          }
        }
      }
    }
    report("proc-scan", !leaks.isEmpty(), readable + " readable; " + leaks);
    for (int port : new int[] { RUNTIME_API_PORT, OTHER_PORT }) {
      String name = port == RUNTIME_API_PORT ? "runtime-api" : "other-loopback";
      try (Socket socket = new Socket("127.0.0.1", port)) {
        report(name, true, "connected");
      } catch (Exception e) {
        report(name, false, e.getMessage().replace(' ', '_'));
      }
    }
    try {
      Files.writeString(Path.of("/etc/streamcanvas-attack"), "x");
      report("write-etc", true, "written");
    } catch (Exception e) {
      report("write-etc", false, e.getClass().getSimpleName());
    }
  }
}
`;
