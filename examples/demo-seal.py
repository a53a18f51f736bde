"""Draws examples/demo-seal.png: a plainly fake round seal for trying `--seal`.

Red ring, five-pointed star, the words 示例单位演示印章 on an arc and 仅供测试 below the
star, on a transparent background (the alpha channel is what lets the text under the seal
show through). Run from the project root: python3 examples/demo-seal.py (needs Pillow).
"""

import math

from PIL import Image, ImageDraw, ImageFont

SIZE = 400  # pixels; 42 mm at about 240 dpi
RED = (214, 0, 28, 255)
FONT = "fonts/FandolSong-Bold.otf"


def star(cx, cy, r):
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.382
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    return points


def main():
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    c = SIZE / 2
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), outline=RED, width=14)
    draw.polygon(star(c, c, 62), fill=RED)

    arc_font = ImageFont.truetype(FONT, 50)
    text = "示例单位演示印章"
    span = math.radians(230)  # the arc the text covers, centred on the top
    radius = c - 60
    for i, ch in enumerate(text):
        # angle from the top, clockwise
        a = -span / 2 + span * i / (len(text) - 1)
        glyph = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((32, 32), ch, font=arc_font, fill=RED, anchor="mm")
        glyph = glyph.rotate(-math.degrees(a), resample=Image.BICUBIC)
        x = c + radius * math.sin(a)
        y = c - radius * math.cos(a)
        img.alpha_composite(glyph, (round(x - 32), round(y - 32)))

    small = ImageFont.truetype(FONT, 34)
    draw.text((c, c + 105), "仅供测试", font=small, fill=RED, anchor="mm")
    img.save("examples/demo-seal.png", optimize=True)


if __name__ == "__main__":
    main()
