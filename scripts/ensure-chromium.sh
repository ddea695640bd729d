#!/bin/sh
# ensure-chromium.sh makes sure Debian's chromium (/usr/bin/chromium) is installed:
# the report's browser test (go test ./reports) renders report.html in it, and
# internal/browser drives it through login and consent pages (and its tests do).
# Idempotent: does nothing when chromium is already there. Installs it with apt-get
# when run as root; otherwise prints how to install it and exits 1.
# Set OAUTHCONF_SKIP_BROWSER=1 to skip the browser test (and this check) instead.
set -eu

CHROMIUM=/usr/bin/chromium

if [ "${OAUTHCONF_SKIP_BROWSER:-}" = "1" ]; then
	echo "ensure-chromium: OAUTHCONF_SKIP_BROWSER=1, not checking for chromium" >&2
	exit 0
fi
if [ -x "$CHROMIUM" ]; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: installing chromium (needed by the report's browser test)" >&2
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
	if [ -x "$CHROMIUM" ]; then
		exit 0
	fi
	echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing" >&2
	exit 1
fi
cat >&2 <<MSG
ensure-chromium: $CHROMIUM is missing; the report's browser test needs it.
Install it with:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium
or skip the browser test with OAUTHCONF_SKIP_BROWSER=1.
MSG
exit 1
