"""The HTTP server of `refnotes serve`: the built pages (GET, HEAD) and the forms' posts, nothing else.

Safe by default. It answers only requests whose Host is its own (127.0.0.1:PORT, localhost:PORT, or an
address literal when it listens on every interface), so a web page elsewhere cannot reach it through a
name of its own pointing here (DNS rebinding). It writes only on `POST /log`, `/status` and `/snooze`
(actions.py), and only for a form that carries the run's random token (compared in constant time), sent
from its own pages (no other Origin), with a body of at most 64 KB. It serves only regular files inside
the built site's folder: no path with `..`, no hidden file, no link. Listening on another interface than
the loopback, every request needs the token: in the URL once (`/?token=...`), then in a cookie.
"""

from __future__ import annotations

import errno
import hmac
import html
import os
import socket
import stat
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from refnotes import __version__
from refnotes.present.site.serving import NOTICE, TOKEN
from refnotes.serve import actions
from refnotes.serve.live import LiveSite
from refnotes.store.reading import knowing
from refnotes.store.shipped import shipped

MAX_BODY = 64 * 1024  # bytes a form's post may have
NOTICES_KEPT = 50  # outcomes of recent writes, shown on the page a write redirects to
COOKIE = "refnotes_token"
TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml",
         ".js": "text/javascript; charset=utf-8", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
         ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8",
         ".eml": "message/rfc822"}
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class PortBusy(OSError):
    """The port asked for is taken."""


class Server(ThreadingHTTPServer):
    """The served site of `live` on (host, port), with its token: `serve_forever()`, then `close()`."""

    daemon_threads = False  # a write under way when the server stops finishes (and commits) first
    block_on_close = True
    allow_reuse_address = True  # a port left in TIME_WAIT by the last run; one in use is still refused

    def __init__(self, live: LiveSite, host: str, port: int, token: str, clock: Callable[[], date],
                 say: Callable[[str], None] = print):
        self.live, self.host, self.token, self.clock, self.say = live, host, token, clock, say
        self.loopback = host in LOOPBACK
        self.notices: OrderedDict[int, list[actions.edits.Message]] = OrderedDict()
        self._notice_lock = threading.Lock()
        self._next_notice = 0
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, port), Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def allowed_host(self, header: str | None) -> bool:
        """Whether a request's Host names this server: its own port, and a name it answers to (a loopback
        name; the host it listens on; any address literal when it listens on every interface)."""
        if not header:
            return False
        name, _, port = header.strip().rpartition(":")
        if not name or port != str(self.port):
            return False
        name = name.lower().strip("[]")
        if name in LOOPBACK or name == self.host.lower():
            return True
        return self.host in ("0.0.0.0", "::") and _is_address(name)

    def keep_notice(self, messages: list) -> int:
        with self._notice_lock:
            self._next_notice += 1
            self.notices[self._next_notice] = messages
            while len(self.notices) > NOTICES_KEPT:
                self.notices.popitem(last=False)
            return self._next_notice

    def close(self) -> None:
        self.shutdown()
        self.server_close()


def listen(live: LiveSite, host: str, port: int, token: str, clock: Callable[[], date], *, search: bool,
           say: Callable[[str], None] = print) -> Server:
    """A Server on `port`, or (`search`) the first free one of the next 20; PortBusy when there is none."""
    for candidate in range(port, port + (20 if search and port else 1)):
        try:
            return Server(live, host, candidate, token, clock, say)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    raise PortBusy(errno.EADDRINUSE, f"port {port} is in use", str(port))


def _is_address(name: str) -> bool:
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, name)
            return True
        except OSError:
            continue
    return False


def local_page(back: str) -> str | None:
    """The URL path of a page of the site named by a form's `back` (`contacts/alice.html`), or None when it
    is not one: a relative path inside the site, no scheme, host, `..` or hidden file."""
    if not back or len(back) > 1000 or any(ch in back for ch in "\\\0\r\n\t") or back.startswith("/"):
        return None
    parts = urlsplit(back)
    if parts.scheme or parts.netloc or parts.query:
        return None
    segments = unquote(parts.path).split("/")
    if any(s in ("", ".", "..") or s.startswith(".") for s in segments):
        return None
    return "/" + quote("/".join(segments)) + (f"#{quote(parts.fragment)}" if parts.fragment else "")


def site_file(out: Path, url_path: str) -> Path | None:
    """The regular file inside `out` a GET of `url_path` names (`/` is index.html), or None."""
    path = unquote(url_path)
    if not path.startswith("/") or any(ch in path for ch in "\\\0"):
        return None
    segments = path[1:].split("/")
    if segments[-1] == "":
        segments[-1] = "index.html"
    if any(s in ("", ".", "..") or s.startswith(".") for s in segments):
        return None
    candidate = out.joinpath(*segments)
    try:
        if not stat.S_ISREG(os.lstat(candidate).st_mode):
            return None
        real = Path(os.path.realpath(candidate))
    except (OSError, ValueError):
        return None
    return candidate if real.is_relative_to(os.path.realpath(out)) else None


class Handler(BaseHTTPRequestHandler):
    server: Server
    server_version = f"refnotes/{__version__}"
    sys_version = ""
    timeout = 30  # seconds a client may take to send its request

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:
        """Quiet: the terminal hears of writes (and of failures), not of every page."""

    # -- reading

    def do_GET(self) -> None:
        self._get(body=True)

    def do_HEAD(self) -> None:
        self._get(body=False)

    def _get(self, body: bool) -> None:
        if not self._host_ok():
            return
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True, max_num_fields=20) if parts.query else {}
        cookie = None
        if not self.server.loopback:
            given = query.get("token", [""])[0]
            if given and hmac.compare_digest(given.encode(), self.server.token.encode()):
                cookie = f"{COOKIE}={self.server.token}; Path=/; HttpOnly; SameSite=Strict"
            elif not self._cookie_ok():
                self._error(403, "This page needs the link refnotes serve printed (with ?token=...): open that "
                                 "link, or scan its QR code.", body=body)
                return
        if parts.path == "/favicon.ico":  # asked for by every browser: the site has none
            self._send(204, b"", "image/x-icon", body=False)
            return
        if parts.path == "/_refnotes/version":
            self._send(200, str(self.server.live.version).encode(), "text/plain; charset=utf-8", body=body)
            return
        if parts.path in ("/_refnotes/reload.js", "/_refnotes/serve.css"):
            name = parts.path.rpartition("/")[2]
            self._send(200, (shipped() / "serve" / name).read_bytes(), TYPES[Path(name).suffix], body=body)
            return
        out = self.server.live.out
        found = site_file(out, parts.path)
        if found is None:
            folder = site_file(out, parts.path.rstrip("/") + "/") if not parts.path.endswith("/") else None
            if folder is not None:
                self._redirect(301, parts.path + "/")
                return
            self._error(404, "No such page in the site.", body=body)
            return
        # what the page is told (its version, whether the write it shows was built in) is taken before it is
        # read: a build that ends in between makes the page reload itself, never look done while stale
        version, notice = self.server.live.version, self._notice(query.get("done", [""])[0])
        try:
            data = found.read_bytes()
        except OSError:
            self._error(404, "No such page in the site.", body=body)
            return
        kind = TYPES.get(found.suffix.lower(), "application/octet-stream")
        if found.suffix == ".html":
            data = self._served(data, version, notice)
        self._send(200, data, kind, body=body, cookie=cookie)

    def _notice(self, done: str) -> str:
        """The notice of the write `?done=N` names (what was written, and whether the pages show it yet)."""
        kept = self.server.notices.get(int(done)) if done.isdigit() and len(done) < 12 else None
        if not kept:
            return ""
        said, write = kept
        lines = "".join(f"<li>{html.escape(m.text)}</li>" for m in said)
        pending = "" if self.server.live.covers(write) else \
            ("<p>The pages are being rebuilt with it: this one reloads itself in a moment (or reload it "
             "yourself).</p>")
        return f'<div class="notice" role="status"><p><strong>Saved.</strong></p><ul>{lines}</ul>{pending}</div>'

    def _served(self, page: bytes, version: int, notice: str) -> bytes:
        """A built page as this run serves it: the token in its forms, the version it shows, the notice."""
        live = self.server.live
        notice = f'<div id="refnotes-served" data-version="{version}" hidden></div>' + notice
        if live.failure:
            notice += f'<p class="alert" role="alert">{html.escape(live.failure)}</p>'
        return page.replace(TOKEN.encode(), self.server.token.encode()).replace(NOTICE.encode(), notice.encode())

    # -- writing

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        path = urlsplit(self.path).path
        act = actions.ACTIONS.get(path)
        if act is None:
            self._error(405 if site_file(self.server.live.out, path) else 404,
                        "Only the forms' addresses (/log, /status, /snooze) take a POST.")
            return
        fields = self._form()
        if fields is None:
            return
        back = local_page(fields.pop("back", ["index.html"])[0] or "index.html")
        given = fields.pop("token", [""])
        if len(given) != 1 or not hmac.compare_digest(given[0].encode(), self.server.token.encode()):
            self._error(403, "This form is not from this run of refnotes serve (its token is missing or old): "
                             "reload the page and send it again. Nothing was written.", back)
            return
        if not self._same_origin():
            self._error(403, "This form was sent from another site. Nothing was written.", back)
            return
        if back is None:
            self._error(400, "The form's page to come back to (back) is not a page of this site. Nothing was "
                             "written.")
            return
        try:
            with knowing(self.server.live.paths):
                said = act(self.server.live.root, fields, self.server.clock())
        except actions.Failed as exc:
            said = exc.message if "nothing was written" in exc.message.lower() else \
                f"{exc.message.rstrip('.')}. Nothing was written."
            self._error(exc.status, said, back)
            return
        for message in said:
            self.server.say(message.text)
        write = self.server.live.after_write()
        number = self.server.keep_notice((said, write))
        page, _, fragment = back.partition("#")
        self._redirect(303, f"{page}?done={number}" + (f"#{fragment}" if fragment else ""))

    def _form(self) -> dict[str, list[str]] | None:
        """The post's fields, or None once an error has been answered (too big, not a form, not UTF-8)."""
        length = self.headers.get("Content-Length")
        if length is None or not length.strip().isdigit():
            self._error(411, "A form's post says how long it is (Content-Length).")
            return None
        if int(length) > MAX_BODY:
            self.close_connection = True
            self._error(413, f"The form is too big: at most {MAX_BODY // 1024} KB. Nothing was written.")
            return None
        kind = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if kind != "application/x-www-form-urlencoded":
            self._error(415, "Send the form as the page's forms do (application/x-www-form-urlencoded).")
            return None
        raw = self.rfile.read(int(length))
        try:
            return parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                            max_num_fields=400, errors="strict")
        except (UnicodeDecodeError, ValueError):
            self._error(400, "The form could not be read (not UTF-8, or too many fields). Nothing was written.")
            return None

    def do_PUT(self) -> None:
        self._error(405, "refnotes serve takes GET, HEAD, and the forms' POST.")

    do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = do_PUT

    # -- checks and answers

    def _host_ok(self) -> bool:
        if self.server.allowed_host(self.headers.get("Host")):
            return True
        self._error(403, "This server answers only to its own address (Host); open it at the address refnotes "
                         "serve printed.")
        return False

    def _cookie_ok(self) -> bool:
        try:
            jar = SimpleCookie(self.headers.get("Cookie", ""))
        except CookieError:
            return False
        morsel = jar.get(COOKIE)
        return morsel is not None and hmac.compare_digest(morsel.value.encode(), self.server.token.encode())

    def _same_origin(self) -> bool:
        """No Origin (an old browser, a script), or this server's own; and not sent from another site."""
        if self.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            return False
        origin = self.headers.get("Origin")
        if origin is None or origin == "null":
            return origin is None
        parts = urlsplit(origin)
        return parts.scheme == "http" and self.server.allowed_host(parts.netloc)

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self._common_headers()
        self.end_headers()

    def _send(self, status: int, data: bytes, kind: str, body: bool = True, cookie: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        if cookie:
            self.send_header("Set-Cookie", cookie)
        self._common_headers()
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _common_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "same-origin")  # not no-referrer: a post would say Origin: null
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Content-Security-Policy", "frame-ancestors 'none'")

    def _error(self, status: int, message: str, back: str | None = None, body: bool = True) -> None:
        """A page that says what went wrong and links back (to the form's page, else the weekly plan)."""
        title = HTTPStatus(status).phrase
        link = back.partition("#")[0] if back else "/index.html"
        page = (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                f'<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'self\'; '
                f'base-uri \'none\'; form-action \'none\'">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f'<title>{status} {html.escape(title)} · refnotes serve</title>\n'
                f'<link rel="stylesheet" href="/style.css">\n</head>\n<body>\n<main id="main" class="wrap">\n'
                f'<h1>{html.escape(title)}</h1>\n<p class="alert" role="alert">{html.escape(message)}</p>\n'
                f'<p><a href="{html.escape(link)}">← Back</a></p>\n</main>\n</body>\n</html>\n')
        self._send(status, page.encode("utf-8"), TYPES[".html"], body=body)
