#!/usr/bin/env bash
# The stylesheets pass stylelint (pinned in package.json, rules in .stylelintrc.json): a syntax
# error such as an unclosed block fails the check, so a sheet can never again turn half dead.
# Needs the npm packages: `npm ci` first.
set -euo pipefail
cd "$(dirname "$0")/.."
exec npx --no-install stylelint --max-warnings 0 "static/**/*.css" "$@"
