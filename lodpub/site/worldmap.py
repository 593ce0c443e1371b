"""A map of places drawn as inline SVG: no tiles, no scripts, nothing from another host.

Points are projected equirectangularly (x = longitude · cos φ₀, y = −latitude) onto a frame with a
graticule and a deliberately rough outline of the continents, which only helps the eye; the text
list next to the map is the accessible alternative. Labels are placed where they do not collide,
so dense regions get an inset panel of their own. Pure functions: the same points, the same SVG.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Rough coastlines (longitude, latitude): enough to recognise the continents at a glance.
# fmt: off
LAND: tuple[tuple[tuple[float, float], ...], ...] = (
    (  # North and Central America
        (-168, 66), (-156, 71), (-140, 70), (-120, 70), (-95, 72), (-80, 70), (-65, 62), (-60, 55),
        (-53, 47), (-66, 44), (-70, 41), (-76, 35), (-81, 31), (-80, 25), (-83, 29), (-90, 30),
        (-97, 27), (-97, 22), (-92, 18), (-87, 21), (-88, 16), (-83, 10), (-77, 8), (-80, 7), (-86, 12),
        (-92, 15), (-97, 16), (-105, 20), (-110, 24), (-115, 30), (-118, 34), (-122, 37), (-124, 42),
        (-124, 48), (-130, 54), (-137, 58), (-147, 61), (-152, 60), (-158, 57), (-164, 55), (-162, 59),
        (-166, 62),
    ),
    (  # South America
        (-77, 8), (-72, 12), (-62, 11), (-52, 5), (-50, 0), (-44, -2), (-35, -5), (-39, -13),
        (-41, -22), (-48, -26), (-53, -34), (-58, -38), (-65, -41), (-68, -50), (-69, -55), (-74, -52),
        (-73, -40), (-71, -30), (-70, -18), (-76, -14), (-81, -6), (-80, 0), (-78, 7),
    ),
    (  # Greenland
        (-73, 78), (-60, 82), (-30, 83), (-20, 80), (-20, 70), (-40, 65), (-44, 60), (-52, 64),
        (-55, 70),
    ),
    (  # Africa
        (-10, 30), (-6, 36), (10, 37), (11, 33), (20, 31), (25, 32), (32, 31), (34, 27), (39, 16),
        (43, 12), (51, 12), (49, 6), (42, -1), (40, -10), (40, -16), (35, -24), (32, -29), (26, -34),
        (20, -35), (18, -32), (15, -27), (12, -18), (13, -9), (9, -1), (9, 4), (4, 6), (-3, 5), (-8, 4),
        (-13, 8), (-17, 14), (-17, 21), (-13, 27),
    ),
    (  # Madagascar
        (44, -25), (47, -25), (50, -15), (49, -12), (44, -17),
    ),
    (  # Europe and Asia
        (-9, 37), (-9, 43), (-2, 43.5), (-1, 46), (-4, 48), (2, 51), (5, 53), (8, 54), (8, 57),
        (10, 57), (11, 54), (14, 54), (20, 55), (21, 57), (24, 59), (28, 60), (22, 61), (21, 64),
        (25, 65.5), (22, 66), (17, 62), (18, 59), (16, 56), (12, 56), (11, 59), (5, 58), (5, 62),
        (14, 68), (20, 70), (28, 71), (33, 69), (41, 67), (44, 68), (55, 69), (60, 69), (70, 73),
        (80, 73), (90, 75), (100, 77), (110, 74), (130, 71), (140, 72), (160, 70), (170, 70), (180, 67),
        (180, 65), (170, 60), (162, 56), (156, 51), (156, 57), (143, 59), (137, 54), (141, 53),
        (140, 48), (133, 43), (129, 41), (129, 35), (126, 35), (126, 38), (122, 40), (121, 39),
        (118, 38), (122, 37), (120, 32), (122, 30), (120, 25), (117, 23), (110, 21), (108, 22),
        (106, 19), (109, 12), (105, 9), (103, 11), (100, 13), (100, 7), (103, 2), (101, 3), (98, 8),
        (98, 16), (94, 17), (92, 22), (87, 22), (80, 15), (78, 8), (73, 16), (72, 21), (67, 25),
        (57, 25), (56, 27), (50, 30), (48, 30), (51, 25), (56, 24), (59, 22), (55, 17), (45, 13),
        (43, 17), (39, 22), (35, 28), (34, 31), (35, 33), (36, 36), (30, 36), (27, 37), (26, 40),
        (29, 41), (41, 41), (38, 47), (34, 45), (30, 46), (28, 44), (28, 42), (24, 40), (23, 38),
        (20, 40), (19, 42), (14, 45), (12, 44), (16, 41), (18, 40), (16, 38), (15, 40), (12, 42),
        (8, 44), (3, 43), (0, 40), (-1, 37), (-5, 36),
    ),
    (  # Great Britain
        (-5, 50), (1, 51), (2, 53), (0, 54), (-2, 56), (-2, 58), (-5, 58.5), (-6, 56), (-5, 55),
        (-3, 54), (-5, 52),
    ),
    (  # Ireland
        (-6, 52), (-10, 52), (-10, 54), (-8, 55), (-6, 54),
    ),
    (  # Japan
        (130, 31), (131, 34), (133, 35), (136, 36), (139, 38), (140, 41), (140, 43), (142, 45),
        (145, 43), (142, 42), (141, 38), (141, 36), (139, 35), (136, 34), (134, 34), (131, 31),
    ),
    (  # Sumatra
        (95, 5), (104, -6), (106, -6), (98, 2),
    ),
    (  # Borneo
        (109, 1), (117, 7), (119, 1), (116, -4), (110, -3),
    ),
    (  # New Guinea
        (131, -1), (141, -3), (150, -10), (141, -9), (137, -5),
    ),
    (  # Australia
        (114, -22), (114, -34), (118, -35), (124, -33), (131, -31), (138, -35), (141, -38), (146, -39),
        (150, -37), (153, -32), (153, -25), (146, -19), (142, -11), (141, -17), (136, -12), (131, -12),
        (126, -14), (122, -18),
    ),
    (  # New Zealand
        (172, -34), (178, -38), (175, -41), (172, -44), (167, -46), (171, -41),
    ),
)
# fmt: on


@dataclass(frozen=True)
class Point:
    """A place to mark: `kind` is `home`, `partnership` or `friendly`; the title (label and
    description) is what a pointer or a screen reader announces."""

    label: str
    latitude: float
    longitude: float
    kind: str
    href: str | None = None
    description: str = ""

    @property
    def title(self) -> str:
        return f"{self.label}: {self.description}" if self.description else self.label


@dataclass(frozen=True)
class Marker:
    point: Point
    x: float
    y: float
    label_x: float = 0.0
    label_y: float = 0.0
    anchor: str = "start"
    labelled: bool = False


@dataclass(frozen=True)
class Frame:
    """What a panel shows: a box of longitudes and latitudes, stretched for its middle latitude."""

    name: str
    west: float
    south: float
    east: float
    north: float
    standard_parallel: float = 0.0
    grid: float = 30.0
    text_scale: float = 55.0  # the frame's width in letters: an inset shown smaller needs fewer

    @property
    def scale(self) -> float:
        return math.cos(math.radians(self.standard_parallel))

    def project(self, latitude: float, longitude: float) -> tuple[float, float]:
        return round(longitude * self.scale, 2), round(-latitude, 2)

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east

    @property
    def width(self) -> float:
        return (self.east - self.west) * self.scale

    @property
    def height(self) -> float:
        return self.north - self.south


@dataclass(frozen=True)
class Panel:
    """One SVG: its viewBox, land and graticule paths, sizes and markers (with label positions)."""

    frame: Frame
    view_box: str
    land: str
    graticule: str
    font: float
    radius: float
    markers: tuple[Marker, ...]
    insets: tuple[tuple[float, float, float, float], ...] = ()


WORLD = Frame("world", -180, -58, 180, 84, 0.0, 30.0, 55.0)
EUROPE = Frame("europe", -12, 35, 42, 60, 48.0, 10.0, 34.0)


def panels(points: Sequence[Point], frames: Sequence[Frame] = (WORLD, EUROPE)) -> list[Panel]:
    """A panel per frame that shows any point; the first frame leaves the points of later (inset)
    frames unlabelled and outlines those frames instead."""
    result = []
    main, *insets = frames
    shown_insets = [f for f in insets if any(f.contains(p.latitude, p.longitude) for p in points)]
    for frame in [main, *shown_insets]:
        inside = [p for p in points if frame.contains(p.latitude, p.longitude)]
        crowded = [] if frame is not main else shown_insets
        result.append(_panel(frame, inside, crowded))
    return result


def _panel(frame: Frame, points: Sequence[Point], insets: Sequence[Frame]) -> Panel:
    font = round(frame.width / frame.text_scale, 2)
    radius = round(font * 0.45, 2)
    placed: list[tuple[float, float, float, float]] = []
    markers = []
    projected = [(p, *frame.project(p.latitude, p.longitude)) for p in points]
    obstacles = [(x - radius, y - radius, x + radius, y + radius) for _, x, y in projected]
    order = sorted(projected, key=lambda item: (item[0].kind != "home", -item[0].latitude))
    for point, x, y in order:
        in_inset = any(f.contains(point.latitude, point.longitude) for f in insets)
        spot = None if in_inset else _label_spot(frame, point.label, x, y, font, radius, placed + obstacles)
        if spot is None:
            markers.append(Marker(point, x, y))
            continue
        lx, ly, anchor, box = spot
        placed.append(box)
        markers.append(Marker(point, x, y, lx, ly, anchor, True))
    x0, y0 = frame.project(frame.north, frame.west)
    return Panel(
        frame=frame,
        view_box=f"{x0:g} {y0:g} {round(frame.width, 2):g} {round(frame.height, 2):g}",
        land=_land_path(frame),
        graticule=_graticule(frame),
        font=font,
        radius=radius,
        markers=tuple(markers),
        insets=tuple(_box(frame, f) for f in insets),
    )


def _label_spot(frame: Frame, text: str, x: float, y: float, font: float, radius: float, taken):
    """The first of right, left, above and below where the label fits inside the frame and
    overlaps nothing placed; None if there is no such place."""
    width, height = len(text) * font * 0.56, font
    gap = radius * 1.6
    x0, y0 = frame.project(frame.north, frame.west)
    x1, y1 = x0 + frame.width, y0 + frame.height
    candidates = [
        (x + gap, y + height * 0.35, "start", (x + gap, y - height / 2, x + gap + width, y + height / 2)),
        (x - gap, y + height * 0.35, "end", (x - gap - width, y - height / 2, x - gap, y + height / 2)),
        (x, y - gap, "middle", (x - width / 2, y - gap - height, x + width / 2, y - gap)),
        (x, y + gap + height * 0.8, "middle", (x - width / 2, y + gap, x + width / 2, y + gap + height)),
    ]
    for lx, ly, anchor, box in candidates:
        inside = box[0] >= x0 and box[1] >= y0 and box[2] <= x1 and box[3] <= y1
        own = (x - radius, y - radius, x + radius, y + radius)
        if inside and not any(_overlap(box, other) for other in taken if other != own):
            return round(lx, 2), round(ly, 2), anchor, box
    return None


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _box(frame: Frame, inset: Frame) -> tuple[float, float, float, float]:
    x0, y0 = frame.project(inset.north, inset.west)
    x1, y1 = frame.project(inset.south, inset.east)
    return x0, y0, round(x1 - x0, 2), round(y1 - y0, 2)


def _land_path(frame: Frame) -> str:
    parts = []
    for polygon in LAND:
        coordinates = [frame.project(lat, lon) for lon, lat in polygon]
        parts.append("M" + " ".join(f"{x:g},{y:g}" for x, y in coordinates) + "Z")
    return "".join(parts)


def _graticule(frame: Frame) -> str:
    """Meridians and parallels every `grid` degrees, the equator and prime meridian among them."""
    lines = []
    start = math.ceil(frame.west / frame.grid) * frame.grid
    longitude = start
    while longitude <= frame.east:
        (xa, ya), (xb, yb) = frame.project(frame.north, longitude), frame.project(frame.south, longitude)
        lines.append(f"M{xa:g},{ya:g}L{xb:g},{yb:g}")
        longitude += frame.grid
    latitude = math.ceil(frame.south / frame.grid) * frame.grid
    while latitude <= frame.north:
        (xa, ya), (xb, yb) = frame.project(latitude, frame.west), frame.project(latitude, frame.east)
        lines.append(f"M{xa:g},{ya:g}L{xb:g},{yb:g}")
        latitude += frame.grid
    return "".join(lines)


def frame_around(
    points: Sequence[Point], name: str = "place", margin: float = 4.0, least: float = 40.0
) -> Frame:
    """A frame that shows every point with land around it (at least `least` degrees of longitude,
    about 16:9), stretched for its middle latitude: the small map of one place or a few."""
    south, north = min(p.latitude for p in points), max(p.latitude for p in points)
    west, east = min(p.longitude for p in points), max(p.longitude for p in points)
    middle = max(min((south + north) / 2, 60.0), -60.0)
    scale = math.cos(math.radians(middle))
    width = min(max(east - west + 2 * margin, least), 360.0)
    height = min(max(north - south + 2 * margin, width * scale * 9 / 16), 170.0)
    width = min(max(width, height * 16 / 9 / scale), 360.0)
    west, south = (west + east - width) / 2, (south + north - height) / 2
    west = max(min(west, 180.0 - width), -180.0)
    south = max(min(south, 85.0 - height), -85.0)
    grid = 10.0 if width <= 90 else 30.0
    return Frame(name, west, south, west + width, south + height, middle, grid, 30.0)
