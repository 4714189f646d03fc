"""What an enrolment QR code holds, and reading one from a photo or screenshot (shared with the server, which
prints the codes; the desk's exchange of a code for its credential is `sync.enrol`).

The server's `station add --qr` prints `gridstation-enrol:?server=<address>&code=<code>`; a plain code (typed,
or a QR made by other means) is accepted too.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from gridstation.domain.errors import DomainError

SCHEME = "gridstation-enrol"


def enrolment_uri(server_url: str, code: str) -> str:
    return f"{SCHEME}:?server={quote(server_url, safe=':/')}&code={quote(code, safe='')}"


def parse_enrolment(text: str) -> tuple[str, str]:
    """(server address or "", one-time code) from what a QR code or a clerk gave."""
    text = text.strip()
    if not text.lower().startswith(f"{SCHEME}:"):
        if not text or len(text) > 40 or any(ch.isspace() for ch in text):
            raise DomainError("enrol.qr_unknown", "二维码里不是工作站登记码。")
        return "", text
    query = parse_qs(urlsplit(text).query)
    code = (query.get("code") or [""])[0].strip()
    if not code:
        raise DomainError("enrol.qr_unknown", "二维码里没有登记码。")
    return (query.get("server") or [""])[0].strip(), code


def decode_qr_image(path: Path) -> str:
    """The text of the (first) QR code in an image file."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            found = zxingcpp.read_barcodes(image.convert("L"))
    except (OSError, UnidentifiedImageError) as err:
        raise DomainError("enrol.image_unreadable", f"无法打开图片：{path.name}") from err
    texts = [result.text for result in found if result.text]
    if not texts:
        raise DomainError("enrol.qr_missing", "图片中没有找到二维码，请换一张清晰的图片。")
    return texts[0]
