"""``pactlab app``: serve the explorer (registered by pactlab.cli)."""

from __future__ import annotations

import click

from pactlab.errors import PactlabError


@click.command(epilog="""\b
Examples:
  pactlab app                      # http://127.0.0.1:8765
  pactlab app --port 9000
""")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True, help="port to listen on")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to listen on (127.0.0.1: this machine only)")
def app(port: int, host: str) -> None:
    """Explore a theatre in the browser: edit its inputs and watch the
    predicted architecture, its reasons, tipping points and downloads.

    Needs the app extra: python -m pip install "pactlab[app]". Every page
    asset is served from the installed packages; nothing is fetched online.
    """
    try:
        import solara  # noqa: F401
    except ModuleNotFoundError:
        raise PactlabError('the explorer needs the app extra: python -m pip install "pactlab[app]"') from None
    from pactlab.app import serve

    click.echo(f"pactlab explorer on http://{host}:{port}  (Ctrl-C to stop)")
    serve(host=host, port=port)
