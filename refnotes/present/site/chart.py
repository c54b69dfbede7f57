"""The referral chart on the network page: weekly referrals made and received, as SVG geometry."""

from __future__ import annotations

from datetime import date

from refnotes.core import agenda


def chart(weeks: list[tuple[date, int, int]]) -> dict:
    """Geometry for the inline SVG bar chart: two bars per week, received and given."""
    # narrow, so that on a phone (about 320 px for the figure) the 13-unit labels still read at 12 px or more;
    # the stylesheet caps the figure's width on a wide screen instead of letting the text grow
    width, height, pad_left, pad_bottom, pad_top = 340, 170, 22, 26, 10
    top = max([1, *(max(r, g) for _, r, g in weeks)])
    plot_h = height - pad_bottom - pad_top
    slot = (width - pad_left) / len(weeks)
    bar = slot * 0.34
    bars = []
    for i, (start, received, given) in enumerate(weeks):
        x = pad_left + i * slot + slot * 0.14
        for j, (value, kind) in enumerate(((received, "received"), (given, "given"))):
            h = plot_h * value / top
            bars.append({"x": round(x + j * bar, 1), "y": round(pad_top + plot_h - h, 1), "w": round(bar - 1, 1),
                         "h": round(h, 1), "kind": kind, "value": value, "week": start})
    ticks = sorted({0, top, top // 2} if top > 1 else {0, 1})
    return {
        "width": width, "height": height, "bars": bars, "weeks": weeks, "slot": slot, "pad_left": pad_left,
        "baseline": pad_top + plot_h,
        "ticks": [{"value": t, "y": round(pad_top + plot_h - plot_h * t / top, 1)} for t in ticks],
        "labels": [{"x": round(pad_left + i * slot + slot / 2, 1), "text": agenda.short(w[0])}
                   for i, w in enumerate(weeks) if i % 2 == 0],
        "received": sum(r for _, r, _ in weeks), "given": sum(g for _, _, g in weeks),
    }



