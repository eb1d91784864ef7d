#!/usr/bin/env bash
# End-to-end check of the gRPC server with the Python client package: installs
# clients/python into a venv (stubs generated at build time), starts the real `circulate
# serve` on 127.0.0.1, runs the package's tests and its command line against it. Run by
# .ci/run after the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python-client-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q "./clients/python[test]"

cargo build --release -q -p circulate
port=50071
target/release/circulate serve --addr 127.0.0.1:$port --max-concurrent-solves 2 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  target/release/circulate health --addr 127.0.0.1:$port >/dev/null 2>&1 && break
  sleep 0.2
done

# Run from outside the source tree, so the installed package (with its stubs) is imported.
(cd target && CIRCULATE_ADDR=127.0.0.1:$port "../$venv/bin/python" -m pytest -q ../clients/python/tests)

out=$("$venv/bin/python" -m circulate_client --addr 127.0.0.1:$port optimize datasets/example)
echo "$out"
grep -q "status SOLVE_STATUS_OPTIMAL" <<<"$out"
# Same objective as `circulate solve datasets/example`.
grep -q "objective 1,311,621 EUR/yr" <<<"$out"
grep -q "flow Lahti Sawmill -> Lahti Energy CHP" <<<"$out"

kill -TERM $server
wait $server
trap - EXIT
echo "python client: passed"
