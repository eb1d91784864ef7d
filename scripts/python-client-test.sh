#!/usr/bin/env bash
# End-to-end check of the gRPC server with the Python example client: starts the real
# `circulate serve` on 127.0.0.1, runs clients/python/circulate_client.py against it on the
# example dataset, and checks what it printed. Run by .ci/run after the Rust tests.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/python-client-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q -r clients/python/requirements.txt

cargo build --release -q -p circulate
port=50071
target/release/circulate serve --addr 127.0.0.1:$port --max-concurrent-solves 2 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break
  sleep 0.2
done

out=$("$venv/bin/python" clients/python/circulate_client.py --addr 127.0.0.1:$port --dataset datasets/example)
echo "$out"
grep -q "Optimize: status SOLVE_STATUS_OPTIMAL" <<<"$out"
# Same objective as `circulate solve datasets/example`.
grep -q "objective 1,311,621 EUR/yr" <<<"$out"
grep -q "flow Lahti Sawmill -> Lahti Energy CHP" <<<"$out"
grep -q "MatchBatch: status SOLVE_STATUS_OPTIMAL" <<<"$out"

kill -TERM $server
wait $server
trap - EXIT
echo "python client: 1 passed, 0 failed"
