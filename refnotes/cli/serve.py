"""`refnotes serve`: the site on http://127.0.0.1, rebuilt as files change, with forms that log what you did."""

from __future__ import annotations

import functools
import secrets
import sys
from datetime import date
from pathlib import Path

import click

from refnotes.cli.base import DATE, Context, UsageFailure, local_today, pass_context

DEFAULT_PORT = 8250


@click.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=None,
              help=f"The port to listen on (default: {DEFAULT_PORT}, or the next free one; 0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on. 0.0.0.0: every interface, to log from a phone on the same network "
                   "(the URL to open then carries the run's token, printed with a QR code).")
@click.option("--open", "open_browser", is_flag=True, help="Open the weekly plan in the browser.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to build the served pages (default: <vault>/.refnotes/serve; never the static _site).")
@click.option("--today", type=DATE, default=None,
              help="Pretend today is this date for the whole run (default: the local date, day by day).")
@pass_context
def serve(ctx: Context, port: int | None, host: str, open_browser: bool, out: Path | None,
          today: date | None) -> None:
    """Serve the site, live: rebuilt when a vault file changes (an open page reloads itself), with forms
    beside each item of the weekly plan and on each contact page: Done (the medium, a few words), Tried
    (an #attempt), Status (the pipeline's stages) and Snooze.

    A form appends through the same writer as `refnotes log` (or edits as
    `refnotes status` and `refnotes set snooze_until=` do: locks, no other
    byte changed, autocommit), then shows the rebuilt page. Nothing else can
    be done through it. It listens on 127.0.0.1 only, answers only requests
    made to its own address, and takes only forms carrying this run's random
    token. With --host 0.0.0.0 anyone on your network who has the printed URL
    (it holds the token) can read the pages and log: use it on a network you
    trust. The pages of `refnotes build` stay as they are, without forms or
    scripts. Ctrl-C stops it.

    \b
    Examples:
      refnotes serve --open
      refnotes serve --port 8300
      refnotes serve --host 0.0.0.0      # from a phone on the same Wi-Fi: scan the QR code
    """
    from refnotes.present import site
    from refnotes.serve import live as serving
    from refnotes.serve import server, watch

    root = ctx.vault_root()
    _stop_on_sigterm()
    target = out if out is not None else root / ".refnotes" / "serve"
    clock = (lambda: today) if today is not None else local_today
    live = serving.LiveSite(root, target, clock, say=functools.partial(click.echo, err=True), use_cache=ctx.use_cache)
    try:
        if target == root / ".refnotes" / "serve":
            from refnotes.store.fsutil import private_dir

            private_dir(root)  # made as refnotes makes it (with its .gitignore), before the build makes a folder in it
        live.build()
    except site.OutputRefused as exc:
        raise UsageFailure(str(exc)) from None
    except KeyboardInterrupt:  # Ctrl-C during the first build
        click.echo("Stopped.")
        return
    token = secrets.token_urlsafe(24)
    try:
        httpd = server.listen(live, host, DEFAULT_PORT if port is None else port, token, clock,
                              search=port is None, say=click.echo)
    except server.PortBusy:
        raise UsageFailure(f"port {port} is in use (another refnotes serve?): choose another with --port, or "
                           "leave --port out to take the next free one") from None
    except OSError as exc:
        raise UsageFailure(f"cannot listen on {host}:{port or DEFAULT_PORT}: {exc.strerror or exc}") from None
    watcher = None
    try:
        if port is None and httpd.port != DEFAULT_PORT:
            click.echo(f"Port {DEFAULT_PORT} is busy: took {httpd.port}")
        url = _say_where(root, httpd, host, token)
        watcher = watch.Watcher(live).start()
        if open_browser:
            import webbrowser

            webbrowser.open(url)
        httpd.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        if watcher is not None:
            watcher.stop()
        httpd.server_close()  # waits for the requests under way: a write finishes, and commits
    click.echo("Stopped.")


def _stop_on_sigterm() -> None:
    """`kill PID` (a service manager, a closed terminal's shell) stops it as Ctrl-C does: the write under way
    finishes and commits, the watcher ends, it says Stopped."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)


def _say_where(root: Path, httpd, host: str, token: str) -> str:
    """Print where it serves, and the URL to open; on every interface, with the token, a QR code and a warning."""
    if httpd.loopback:
        name = f"[{host}]" if ":" in host else host
        url = f"http://{name}:{httpd.port}/"
        click.echo(f"Serving {root} at {url}")
    else:
        address = _lan_address() if host in ("0.0.0.0", "::") else host
        url = f"http://{address}:{httpd.port}/?token={token}"
        click.echo(f"Serving {root} at {url}")
        import segno

        segno.make(url, error="m").terminal(out=sys.stdout, compact=True)
        click.echo("warning: anyone on your network with this URL can read these pages and log to your "
                   "contacts; stop it (Ctrl-C) when you are done", err=True)
    click.echo("Press Ctrl-C to stop")
    return url


def _lan_address() -> str:
    """This machine's address on its network, for the URL a phone opens. A UDP socket connected to a
    documentation address picks the interface a packet would leave by; no packet is sent."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()
