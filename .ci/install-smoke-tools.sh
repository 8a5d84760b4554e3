#!/usr/bin/env bash
# Installs what the server smoke test (.ci/smoke-server.sh) needs: the AWS CLI and boto3.
#
# When both are already on the machine, nothing is installed. Otherwise they go into a virtual
# environment at target/ci-venv (inside the repository's ignored target/ directory, so the
# system Python is left alone); smoke-server.sh puts its bin/ first on PATH when it exists.
# Where no venv can be made, pip installs for the user, with --break-system-packages when pip
# refuses to touch an externally managed Python.
#
# SMOKE_FORCE_VENV=1 builds the venv even when the tools are already installed (to test this
# script on a machine that has them).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
venv="$PWD/target/ci-venv"

have_tools() {
    command -v aws >/dev/null 2>&1 && aws --version >/dev/null 2>&1 \
        && python3 -c 'import boto3' >/dev/null 2>&1
}

report() {
    echo "aws: $(aws --version 2>&1)"
    echo "boto3: $(python3 -c 'import boto3; print(boto3.__version__)')"
}

if [ -x "$venv/bin/aws" ]; then
    PATH="$venv/bin:$PATH"
fi
if [ "${SMOKE_FORCE_VENV:-0}" != 1 ] && have_tools; then
    echo "install-smoke-tools: the AWS CLI and boto3 are already installed"
    report
    exit 0
fi

if ! command -v python3 >/dev/null 2>&1; then
    echo "install-smoke-tools: python3 not found; install it (apt-get install -y python3 python3-venv)" >&2
    exit 1
fi

if [ -x "$venv/bin/pip" ] || python3 -m venv "$venv" 2>/dev/null; then
    echo "install-smoke-tools: installing awscli and boto3 into $venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check awscli boto3
    PATH="$venv/bin:$PATH"
else
    echo "install-smoke-tools: no venv (python3-venv missing?); installing with pip for the user"
    rm -rf "$venv"
    python3 -m pip install --quiet --user awscli boto3 \
        || python3 -m pip install --quiet --user --break-system-packages awscli boto3
    PATH="$(python3 -m site --user-base)/bin:$PATH"
fi

if ! have_tools; then
    echo "install-smoke-tools: FAILED: the AWS CLI or boto3 is still missing after installing" >&2
    exit 1
fi
report
