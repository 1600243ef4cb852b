"""Headless Chromium for checking and screenshotting a rendered report (tests, docs).

Chromium runs with networking features off and a throw-away profile; the report is opened
from a ``file://`` URL. ``python -m crm_bridge.report.browser OUT.png [REPORT.html]`` writes a
screenshot of a rendered report (default: the sample report). ``docs/report-screenshot.png``
is the sandbox report of the example project::

    crm-bridge report --sandbox -o /tmp/report.html
    python -m crm_bridge.report.browser docs/report-screenshot.png /tmp/report.html
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
TIMEOUT_S = 60


class BrowserMissing(RuntimeError):
    """No Chromium on this machine."""


def find_chromium() -> str:
    """Path of the Chromium executable; :class:`BrowserMissing` if none is installed."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing("chromium is not installed: run .ci/chromium.sh (Debian's chromium)")


def _run(html: Path, *extra: str) -> str:
    with tempfile.TemporaryDirectory(prefix="crmb-chromium-") as profile:
        done = subprocess.run(
            [
                find_chromium(),
                *FLAGS,
                f"--user-data-dir={profile}",
                *extra,
                html.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"chromium exited {done.returncode}: {done.stderr[-500:]}")
    return done.stdout


@dataclass(frozen=True, slots=True)
class PageCheck:
    """What the report's page script recorded on ``<body>`` after loading."""

    charts_expected: int | None
    charts_drawn: int | None
    script_errors: int
    last_error: str | None


def _attr(body: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', body)
    return found.group(1) if found else None


def check_page(html: Path) -> PageCheck:
    """Load the report headless and read the page script's attributes from the live DOM."""
    dom = _run(html, "--dump-dom")
    body = re.search(r"<body\b[^>]*>", dom)
    if body is None:
        raise RuntimeError("chromium returned no <body> for the report")
    tag = body.group(0)

    def number(name: str) -> int | None:
        value = _attr(tag, name)
        return int(value) if value is not None and value.isdigit() else None

    return PageCheck(
        charts_expected=number("data-charts-expected"),
        charts_drawn=number("data-charts-drawn"),
        script_errors=number("data-script-errors") or 0,
        last_error=_attr(tag, "data-last-error"),
    )


def screenshot(html: Path, png: Path, width: int = 1280, height: int = 2400) -> None:
    """Save a screenshot of the report's first ``width`` by ``height`` pixels."""
    _run(html, f"--screenshot={png.resolve()}", f"--window-size={width},{height}")
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot to {png}")


def main(argv: list[str]) -> int:
    """Screenshot of ``argv[1]`` (a rendered report; default: the sample report) to ``argv[0]``
    (default ``docs/report-screenshot.png``)."""
    from crm_bridge.report.build import build_report
    from crm_bridge.report.html import render_html
    from crm_bridge.report.sample import END, sample_inputs

    out = Path(argv[0] if argv else "docs/report-screenshot.png")
    if len(argv) > 1:
        screenshot(Path(argv[1]), out)
        print(f"wrote {out}")
        return 0
    doc = build_report(
        sample_inputs(),
        title="Sales & marketing alignment report",
        source="built-in sample data",
        generated_at=END,
    )
    with tempfile.TemporaryDirectory(prefix="crmb-report-") as tmp:
        html = Path(tmp) / "report.html"
        html.write_text(render_html(doc), encoding="utf-8")
        screenshot(html, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
