"""The explorer in the browser: ``pactlab app`` (needs the ``app`` extra).

:mod:`pactlab.app.logic` holds everything the pages compute and needs no
browser; :mod:`pactlab.app.main` lays the pages out with Solara;
:func:`serve` runs them on a local port with every asset served from the
installed packages (nothing is fetched from the internet).
"""

from __future__ import annotations

import os

#: Solara settings that keep the server offline: assets from the installed
#: solara-assets package, no telemetry.
OFFLINE_ENV = {
    "SOLARA_APP": "pactlab.app.main",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
}


def serve(host: str = "127.0.0.1", port: int = 8765, log_level: str = "warning") -> None:
    """Serve the explorer at http://host:port until interrupted."""
    for k, v in OFFLINE_ENV.items():
        os.environ.setdefault(k, v)
    import uvicorn

    uvicorn.run("solara.server.starlette:app", host=host, port=port, log_level=log_level)
