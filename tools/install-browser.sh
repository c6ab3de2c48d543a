#!/usr/bin/env sh
# Install what the browser tests need from Debian's packages when it is missing:
# chromium (driven by Playwright through executable_path) and chromium-driver.
# Playwright's own browser download is never used. Part of the README's test command.
set -e
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
echo "installing chromium and chromium-driver from Debian's packages (for the browser tests)"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
