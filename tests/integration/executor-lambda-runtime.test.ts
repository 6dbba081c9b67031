import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runResultSchema, type Language, type RunResult } from '../../src/protocol/code.js';
import { harnessUnavailableReason, RUNTIME_UID, startLambdaHarness, type LambdaHarness } from '../support/lambda-harness/harness.js';

/**
 * Hostile programs against the executor as AWS Lambda runs it (see
 * tests/support/lambda-harness/harness.ts): the real handler and Lambda
 * sandbox, started through the image's runtime-entrypoint.sh as an
 * unprivileged uid with fake AWS credentials in its environment and a fake
 * Runtime API on a loopback port. User code runs as that same uid, as in
 * Lambda. Every attack must fail, no credential may appear anywhere in what
 * the function answers, and the Runtime API and another loopback service must
 * hear from nobody but the runtime.
 *
 * What only the real image can show (Docker is needed) is in the
 * executor-image workflow's smoke test, which runs the same attacks.
 */

const unavailable = harnessUnavailableReason();
if (unavailable) console.warn(`Skipping the Lambda-like executor attacks: ${unavailable}.`);

const ATTACK_LINE = /^(\S+) (blocked|LEAK) ?(.*)$/;
/** The attack lines a program printed, by name. */
function attacksIn(result: RunResult): Map<string, { verdict: string; detail: string }> {
  const lines = result.stdout.split('\n').map((line) => ATTACK_LINE.exec(line)).filter((match) => match !== null);
  return new Map(lines.map((match) => [match[1]!, { verdict: match[2]!, detail: match[3]! }]));
}

describe.skipIf(unavailable !== null)('attacks on the executor in a Lambda-like runtime', () => {
  let harness: LambdaHarness;
  let invocations = 0;
  const answers: string[] = [];

  beforeAll(async () => {
    harness = await startLambdaHarness();
  });
  afterAll(async () => {
    await harness?.stop();
  });

  async function run(language: Language, source: string): Promise<RunResult> {
    invocations++;
    const answer = await harness.invoke({ language, source, stdin: '' });
    answers.push(answer.body);
    expect(answer.kind, answer.body).toBe('response');
    return runResultSchema.parse(JSON.parse(answer.body));
  }

  function expectNoCredentialIn(text: string): void {
    for (const value of Object.values(harness.credentials)) expect(text).not.toContain(value);
  }

  it('runs user code as the runtime\'s own unprivileged user, a child of the runtime', async () => {
    const result = await run('python', 'import os\nprint(os.getuid(), os.getppid(), sorted(os.environ))');
    expect(result.status, result.message).toBe('ok');
    expect(result.stdout).toBe(`${RUNTIME_UID} ${harness.runtimePid()} ['HOME', 'LANG', 'PATH', 'TMPDIR']\n`);
  });

  it('Python: the runtime\'s environ, memory, fds and socket, every process\'s environ and cmdline, the Runtime API and loopback are out of reach', async () => {
    const source = String.raw`
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
for pid in [p for p in os.listdir("/proc") if p.isdigit()]:
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
attempt("unix-socket-to-tcp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
for path in ["/etc/streamcanvas-attack", TASK_ROOT + "/planted", "/usr/local/streamcanvas-attack", "/var/streamcanvas-attack"]:
    attempt("write-" + path, lambda: open(path, "w").write("x"))
`
      .replace('RUNTIME_API_PORT', String(harness.runtimeApiPort))
      .replace('OTHER_PORT', String(harness.otherPort))
      .replace('TASK_ROOT', JSON.stringify(harness.taskRoot));
    const result = await run('python', source);
    expect(result.status, `${result.stderr}${result.message ?? ''}`).toBe('ok');
    const attacks = attacksIn(result);
    const EPERM = 'errno=1';
    expect(attacks.get('parent-environ')).toEqual({ verdict: 'blocked', detail: 'errno=13 Permission denied' });
    expect(attacks.get('parent-mem')).toEqual({ verdict: 'blocked', detail: 'errno=13 Permission denied' });
    expect(attacks.get('parent-fds')).toEqual({ verdict: 'blocked', detail: 'errno=13 Permission denied' });
    expect(attacks.get('parent-maps')).toEqual({ verdict: 'blocked', detail: 'errno=13 Permission denied' });
    for (const call of ['ptrace-attach', 'pidfd_open', 'pidfd_getfd', 'process_vm_readv']) {
      expect(attacks.get(call), call).toEqual({ verdict: 'blocked', detail: EPERM });
    }
    expect(attacks.get('proc-scan')?.verdict).toBe('blocked');
    for (const name of ['runtime-api', 'other-loopback']) {
      for (const host of ['127.0.0.1', '::1', 'localhost']) {
        expect(attacks.get(`${name}-${host}`), `${name} ${host}`).toEqual({ verdict: 'blocked', detail: 'errno=1 Operation not permitted' });
      }
    }
    expect(attacks.get('unix-socket-to-tcp')?.verdict).toBe('blocked');
    const writes = [...attacks].filter(([name]) => name.startsWith('write-'));
    expect(writes).toHaveLength(4);
    for (const [name, outcome] of writes) expect(outcome.verdict, name).toBe('blocked');
    expect([...attacks.values()].filter((outcome) => outcome.verdict === 'LEAK')).toEqual([]);
  });

  it('C++: the same attacks through raw system calls fail', async () => {
    const result = await run('cpp', String.raw`
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
`.replaceAll('RUNTIME_API_PORT', String(harness.runtimeApiPort)).replaceAll('OTHER_PORT', String(harness.otherPort)));
    expect(result.status, `${result.compileOutput ?? ''}${result.stderr}${result.message ?? ''}`).toBe('ok');
    const attacks = attacksIn(result);
    expect(attacks.get('parent-environ')).toEqual({ verdict: 'blocked', detail: 'errno=13' });
    expect(attacks.get('parent-mem')).toEqual({ verdict: 'blocked', detail: 'errno=13' });
    for (const call of ['pidfd_open', 'pidfd_getfd', 'ptrace-attach', 'process_vm_readv', 'runtime-api', 'other-loopback']) {
      expect(attacks.get(call), call).toEqual({ verdict: 'blocked', detail: 'errno=1' });
    }
    expect(attacks.get('proc-scan')?.verdict).toBe('blocked');
    expect(attacks.get('write-etc')).toEqual({ verdict: 'blocked', detail: 'errno=13' });
    expect([...attacks.values()].filter((outcome) => outcome.verdict === 'LEAK')).toEqual([]);
  });

  it('Java: reading the runtime, every process, and connecting to loopback fail', async () => {
    const result = await run('java', String.raw`
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
      for (Path pid : pids.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
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
`.replaceAll('RUNTIME_API_PORT', String(harness.runtimeApiPort)).replaceAll('OTHER_PORT', String(harness.otherPort)));
    expect(result.status, `${result.compileOutput ?? ''}${result.stderr}${result.message ?? ''}`).toBe('ok');
    const attacks = attacksIn(result);
    expect(attacks.get('parent-environ')).toEqual({ verdict: 'blocked', detail: 'AccessDeniedException' });
    expect(attacks.get('parent-mem')).toEqual({ verdict: 'blocked', detail: 'FileNotFoundException' });
    expect(attacks.get('proc-scan')?.verdict).toBe('blocked');
    expect(attacks.get('runtime-api')).toEqual({ verdict: 'blocked', detail: 'Operation_not_permitted' });
    expect(attacks.get('other-loopback')).toEqual({ verdict: 'blocked', detail: 'Operation_not_permitted' });
    expect(attacks.get('write-etc')).toEqual({ verdict: 'blocked', detail: 'AccessDeniedException' });
    expect([...attacks.values()].filter((outcome) => outcome.verdict === 'LEAK')).toEqual([]);
  });

  it('a process left behind is gone before the next run, and so are the previous run\'s files, even read-only ones', async () => {
    const marker = `lambda-leftover-${randomUUID()}`;
    const planted = [`/tmp/${marker}`, `/dev/shm/${marker}`, `/tmp/${marker}-dir/inside`];
    const first = await run('python', [
      'import os, subprocess',
      `subprocess.Popen(["/bin/sh", "-c", "sleep 60; echo ${marker}"], start_new_session=True)`,
      'if os.fork() == 0:',
      '    os.setsid()',
      `    os.execv("/bin/sh", ["sh", "-c", "sleep 60; echo ${marker}-daemon"])`,
      `os.mkdir("/tmp/${marker}-dir")`,
      `for path in ${JSON.stringify(planted)}:`,
      '    open(path, "w").write("secret of the previous run")',
      `os.chmod("/tmp/${marker}-dir", 0o500)`,
      'open("in-work-dir", "w").write("secret of the previous run")',
      'print(os.getcwd())',
    ].join('\n'));
    expect(first.status, first.stderr).toBe('ok');
    const firstWorkDir = first.stdout.trim();
    expect(firstWorkDir).toMatch(/^\/tmp\/run-/);
    expect(processesWith(marker)).toEqual([]);

    const second = await run('python', [
      'import os',
      `print([os.path.exists(path) for path in ${JSON.stringify([...planted, `${firstWorkDir}/in-work-dir`, firstWorkDir])}])`,
      `print(sorted(entry for entry in os.listdir("/tmp") if os.lstat("/tmp/" + entry).st_uid == os.getuid()) == [os.path.basename(os.getcwd())])`,
    ].join('\n'));
    expect(second.stdout).toBe('[False, False, False, False, False]\nTrue\n');
  });

  it('nothing the function answered or logged holds a credential, and only the runtime spoke to the Runtime API', () => {
    expect(answers.length).toBe(invocations);
    expectNoCredentialIn(answers.join('\n'));
    expectNoCredentialIn(harness.logs());
    expect(harness.otherConnections()).toBe(0);
    const unexpected = harness.runtimeApiRequests.filter(
      (request) =>
        !(request.method === 'GET' && request.url === '/2018-06-01/runtime/invocation/next') &&
        !(request.method === 'POST' && /^\/2018-06-01\/runtime\/invocation\/[0-9a-f-]{36}\/response$/.test(request.url)),
    );
    expect(unexpected).toEqual([]);
    const nexts = harness.runtimeApiRequests.filter((request) => request.method === 'GET').length;
    expect(nexts).toBeLessThanOrEqual(invocations + 1);
  });
});

describe.skipIf(unavailable !== null)('a runtime started without runtime-entrypoint.sh', () => {
  let harness: LambdaHarness;
  beforeAll(async () => {
    harness = await startLambdaHarness({ useEntrypoint: false });
  });
  afterAll(async () => {
    await harness?.stop();
  });

  it('runs no code: it holds credentials and is dumpable, and says how to fix that', async () => {
    const answer = await harness.invoke({ language: 'python', source: 'print("ran")', stdin: '' });
    const result = runResultSchema.parse(JSON.parse(answer.body));
    expect(result.status).toBe('unavailable');
    expect(result.stdout).toBe('');
    expect(result.message).toMatch(/holds AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.*runtime-entrypoint\.sh/);
    for (const value of Object.values(harness.credentials)) expect(answer.body).not.toContain(value);
  });
});

/** Processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}
