#!/usr/bin/env bash
# The test command: every test project in the solution. Extra arguments go to `dotnet test`.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${GRID_MODELS_DIR:-}" ] && [ -d ../shared/models ]; then export GRID_MODELS_DIR="$(cd ../shared/models && pwd)"; fi
# One test assembly at a time: the Orleans test clusters' failure detection needs the cores to itself.
dotnet test Grid.sln -m:1 --logger "trx" --logger "console;verbosity=minimal" "$@"
