"""The README's screenshot of the explorer: start `pactlab app` on a local port, open it in
Debian's chromium (Playwright, as the browser tests do), wait for the alliance network and save
the first screen.

    python tools/app_screenshot.py docs/images/app.png
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request


def main(out: str) -> None:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "pactlab", "app", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).read()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("pactlab app did not start") from None
                time.sleep(0.5)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                  args=["--headless", "--no-sandbox", "--disable-gpu"])
            page = b.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url)
            page.wait_for_selector(".pl-net", timeout=120_000)
            page.wait_for_timeout(2000)  # let the diagram's layout settle
            page.screenshot(path=out, full_page=False)
            b.close()
    finally:
        proc.terminate()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "app.png")
