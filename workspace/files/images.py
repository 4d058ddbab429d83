"""Images are decoded and encoded again before they are kept, so what is served inline is
pixels we wrote ourselves: no trailing payload, no metadata (a photo's location), no
malformed chunk aimed at a browser's decoder."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from workspace.files.types import TYPES, FileRefused, FileType
from workspace.i18n import gettext as _

# Far above any chart or photograph, far below what would exhaust memory when decoded.
MAX_PIXELS = 40_000_000


def reencode(source: Path, found: FileType, target: Path) -> FileType:
    """Decode the image at `source` and write it again to `target`; the type written
    (JPEG stays JPEG, everything else becomes PNG, keeping transparency)."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(source) as opened:
                if opened.width * opened.height > MAX_PIXELS:
                    raise FileRefused(_("This image is too large: make it under 40 megapixels."))
                opened.seek(0)  # the first frame of an animation
                image = ImageOps.exif_transpose(opened)
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise FileRefused(_("This image is too large: make it under 40 megapixels.")) from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise FileRefused(
            _("This file says it is %(kind)s but cannot be read as one.", kind=_(found.label))
        ) from error
    if found.name == "jpeg":
        image.convert("RGB").save(target, "JPEG", quality=90)
        return TYPES["jpeg"]
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    image.save(target, "PNG")
    return TYPES["png"]
