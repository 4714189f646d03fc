"""Draw the desk's icon: resources/icons/gridstation.svg (the source), and the PNG (Linux menus, hicolor 256×256)
and ICO (Windows: the .exe and the installer) drawn from the same shapes with Pillow and the bundled font.

    .venv/bin/python scripts/make_icons.py     # run after changing the design; the files are committed
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parents[1]
ICONS = ROOT / "resources" / "icons"
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
RED = "#c8102e"  # 党政红: what a 民情 window's signs are painted in
GOLD = "#ffd54a"
CHAR = "民"

SVG = f"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
  <title>GridStation 民情快办工作站</title>
  <rect x="8" y="8" width="240" height="240" rx="44" fill="{RED}"/>
  <g stroke="{GOLD}" stroke-width="6" opacity="0.55">
    <line x1="8" y1="200" x2="248" y2="200"/><line x1="88" y1="200" x2="88" y2="248"/>
    <line x1="168" y1="200" x2="168" y2="248"/>
  </g>
  <text x="128" y="168" font-family="WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif" font-size="150"
        font-weight="bold" fill="#ffffff" text-anchor="middle">{CHAR}</text>
</svg>
"""


def draw(size: int) -> Image.Image:
    scale = size / 256
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((8 * scale, 8 * scale, 248 * scale, 248 * scale), radius=44 * scale, fill=RED)
    grid = (255, 213, 74, 140)
    width = max(1, round(6 * scale))
    overlay = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    lines = ImageDraw.Draw(overlay)
    lines.line((8 * scale, 200 * scale, 248 * scale, 200 * scale), fill=grid, width=width)
    for x in (88, 168):
        lines.line((x * scale, 200 * scale, x * scale, 246 * scale), fill=grid, width=width)
    image = Image.alpha_composite(image, overlay)
    pen = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), round(150 * scale), index=0)
    pen.text(
        (128 * scale, 112 * scale),
        CHAR,
        font=font,
        fill="white",
        anchor="mm",
        stroke_width=max(1, round(3 * scale)),
        stroke_fill="white",
    )
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    (ICONS / "gridstation.svg").write_text(SVG, encoding="utf-8")
    big = draw(256)
    big.save(ICONS / "gridstation.png", optimize=True)
    big.save(
        ICONS / "gridstation.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]
    )


if __name__ == "__main__":
    main()
