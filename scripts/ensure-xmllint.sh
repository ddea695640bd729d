#!/bin/sh
# ensure-xmllint.sh makes sure xmllint (Debian's libxml2-utils) is installed: the
# JUnit test (go test ./steps -run TestJUnitSchema) validates junit.xml against the
# Jenkins xunit plugin's junit-10.xsd with `xmllint --schema`; without xmllint that
# test falls back to a structural check. Idempotent; installs with apt-get when run
# as root, otherwise prints how to install it and exits 0 (the fallback still runs).
set -eu

if command -v xmllint >/dev/null 2>&1; then
	exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "ensure-xmllint: installing libxml2-utils (xmllint validates junit.xml in the tests)" >&2
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libxml2-utils
	exit 0
fi
cat >&2 <<MSG
ensure-xmllint: xmllint is missing; TestJUnitSchema falls back to a structural check.
Install it with:
    sudo apt-get update && sudo apt-get install -y --no-install-recommends libxml2-utils
MSG
exit 0
