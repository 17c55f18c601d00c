#!/usr/bin/env bash
# The first command of the README: install what is needed, build, and run the quickstart
# scenario (1,000 devices x 2 modules = 3,000 MQTT sessions against the embedded hub, 30 s).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec build/app/fleetsim run scenarios/quickstart.toml --report quickstart-report.json "$@"
