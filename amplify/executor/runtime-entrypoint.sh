#!/bin/sh
# The executor image's ENTRYPOINT: starts the Lambda runtime ("$@") so that
# user code, which runs as the same Linux user, finds nothing worth stealing:
#
# - the function's AWS credentials are removed from the runtime's environment
#   (the executor makes no AWS calls), so neither the runtime's environ nor
#   its memory ever holds them;
# - nondumpable.so, preloaded, makes the runtime non-dumpable, so its
#   /proc/<pid>/environ and mem, ptrace and pidfd_getfd (its socket to the
#   Runtime API) are closed to user code.
#
# The Lambda sandbox refuses to run code when either is missing. The Lambda-like
# harness in tests/integration/executor-lambda-runtime.test.ts starts its
# runtime through this same script.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
exec /usr/bin/env \
  -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_SECURITY_TOKEN \
  -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_AUTHORIZATION_TOKEN \
  LD_PRELOAD="$here/nondumpable.so" \
  "$@"
