/*
 * Preloaded into the executor's Lambda runtime (runtime-entrypoint.sh sets
 * LD_PRELOAD): marks the process non-dumpable before Node starts. User code
 * runs as the same Linux user as the runtime (Lambda offers no other), and a
 * dumpable process of one's own user is open to /proc/<pid>/environ,
 * /proc/<pid>/mem, ptrace and pidfd_getfd. A non-dumpable one needs
 * CAP_SYS_PTRACE for all of them, which nobody in Lambda has. Node has no API
 * for prctl, and an execute-only binary is not enough on every kernel.
 *
 * Children start non-dumpable too, and become dumpable again when they exec a
 * readable program: user code never inherits this protection against itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>

__attribute__((constructor)) static void streamcanvas_nondumpable(void) {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    perror("streamcanvas nondumpable: prctl(PR_SET_DUMPABLE, 0) failed; refusing to start");
    exit(70);
  }
}
