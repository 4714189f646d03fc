"""Talking to the sub-district server: one HTTP request per call, every failure turned into a `SyncError`.

No retries here: whoever runs the sync decides whether to back off and try again (`SyncError.retryable`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import TypeAdapter
from pydantic import ValidationError as SchemaError

from gridstation.domain.errors import DomainError
from gridstation.protocol import (
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    AttachmentOffer,
    AttachmentStatus,
    ConflictOut,
    DayReceipt,
    DayReceiptRequest,
    DistrictPolicyOut,
    EnrolRequest,
    EnrolResponse,
    KnowledgeChanges,
    ProposalIn,
    ProposalReceipt,
    PullResponse,
    PushRequest,
    PushResponse,
    ServerInfo,
)
from gridstation.sync.errors import SyncError

Model = TypeVar("Model")
CONFLICT_LIST = TypeAdapter(list[ConflictOut])
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)


def normalise_server_url(text: str) -> str:
    """`https://host:port[/prefix]` without a trailing slash; a bare host gets https://."""
    url = text.strip().rstrip("/")
    if not url:
        raise DomainError("sync.url_missing", "请填写城运中心服务器地址。")
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DomainError(
            "sync.url_invalid", f"服务器地址「{text.strip()}」格式不对，应类似 https://cyzx.example.gov.cn"
        )
    if parts.query or parts.fragment:
        raise DomainError("sync.url_invalid", "服务器地址不应包含 ? 或 # 之后的内容。")
    return url


class ServerTransport:
    """The station's side of the protocol, over httpx. `credential` is the bearer token from enrolment."""

    def __init__(
        self,
        base_url: str,
        credential: str = "",
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = normalise_server_url(base_url)
        headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION), "User-Agent": "GridStation-desk"}
        if credential:
            headers["Authorization"] = f"Bearer {credential}"
        # Plain http (loopback, a test server) needs no certificate store; loading it costs ~40 ms per sync.
        verify = self.base_url.startswith("https://")
        self._client = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport, verify=verify
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ServerTransport:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- the calls ----------------------------------------------------------------------------------------

    def info(self) -> ServerInfo:
        return self._call("GET", "/api/v1/info", ServerInfo.model_validate_json)

    def enrol(self, code: str, device_name: str = "", attempt_id: str | None = None) -> EnrolResponse:
        body = EnrolRequest(code=code.strip(), device_name=device_name[:100], attempt_id=attempt_id)
        return self._call("POST", "/api/v1/enrol", EnrolResponse.model_validate_json, json=body.model_dump(mode="json"))

    def push(self, request: PushRequest) -> PushResponse:
        return self._call(
            "POST", "/api/v1/sync/push", PushResponse.model_validate_json, json=request.model_dump(mode="json")
        )

    def pull(
        self,
        *,
        after: int,
        epoch: int,
        limit: int,
        unsent: int | None = None,
        heads: bool = False,
        receipt: DayReceiptRequest | None = None,
    ) -> PullResponse:
        """A page of the feed. `heads`, `receipt`: ask for them with the last page (a server before issue 18 ignores
        the question and answers without them: the caller then asks as before)."""
        params: dict[str, int | str] = {"after": after, "epoch": epoch, "limit": limit}
        if unsent is not None:  # the events still waiting here, for the centre's status page (issue 19)
            params["unsent"] = unsent
        if heads:
            params["heads"] = "true"
        if receipt is not None:
            params.update(receipt_from=receipt.from_seq, receipt_to=receipt.to_seq, receipt_label=receipt.label)
        return self._call("GET", "/api/v1/sync/pull", PullResponse.model_validate_json, params=params)

    def receipt(self, request: DayReceiptRequest) -> DayReceipt:
        return self._call(
            "POST", "/api/v1/sync/receipt", DayReceipt.model_validate_json, json=request.model_dump(mode="json")
        )

    def conflicts(self) -> list[ConflictOut]:
        return self._call("GET", "/api/v1/conflicts", CONFLICT_LIST.validate_json)

    def offer_attachment(self, offer: AttachmentOffer) -> AttachmentStatus:
        """Announce a photo of a case; the answer says how many of its bytes the server already has."""
        return self._call(
            "POST", "/api/v1/attachments", AttachmentStatus.model_validate_json, json=offer.model_dump(mode="json")
        )

    def upload_chunk(self, sha256: str, offset: int, data: bytes) -> AttachmentStatus:
        """Send a photo's bytes from `offset` on (at most protocol.MAX_ATTACHMENT_CHUNK)."""
        return self._call(
            "PUT",
            f"/api/v1/attachments/{sha256}/content",
            AttachmentStatus.model_validate_json,
            params={"offset": offset},
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def district_policy(self) -> DistrictPolicyOut:
        """The district's deadline policy in force, with its version."""
        return self._call("GET", "/api/v1/policy", DistrictPolicyOut.model_validate_json)

    def knowledge(self, *, since: int, limit: int) -> KnowledgeChanges:
        """The knowledge base's changes after `since`: articles, and decisions on this station's proposals."""
        params = {"since": since, "limit": limit}
        return self._call("GET", "/api/v1/kb", KnowledgeChanges.model_validate_json, params=params)

    def propose_article(self, proposal: ProposalIn) -> ProposalReceipt:
        """A proposed article from a closed case; sent again with the same idempotency key, it is a duplicate."""
        return self._call(
            "POST", "/api/v1/kb/proposals", ProposalReceipt.model_validate_json, json=proposal.model_dump(mode="json")
        )

    def download_photo(self, sha256: str) -> bytes:
        """A photo of one of this station's cases, whole (photos are at most a few MB; the caller checks its hash)."""
        return self._body("GET", f"/api/v1/attachments/{sha256}/content")

    # --- plumbing -----------------------------------------------------------------------------------------

    def _call(self, method: str, path: str, parse: Callable[[bytes], Model], **kwargs: Any) -> Model:
        body = self._body(method, path, **kwargs)
        try:
            return parse(body)
        except (ValueError, SchemaError) as err:
            raise SyncError(
                "sync.bad_response", "服务器的应答不完整或格式有误（可能被网络截断），稍后将自动重试。", retryable=True
            ) from err

    def _body(self, method: str, path: str, **kwargs: Any) -> bytes:
        """The answer's body; a refusal or a failed connection as the SyncError a person reads."""
        try:
            response = self._client.request(method, path, **kwargs)
            body = response.read()
        except httpx.TimeoutException as err:
            raise SyncError("sync.timeout", "连接城运中心服务器超时，稍后将自动重试。", retryable=True) from err
        except httpx.RequestError as err:
            # Refused, reset, DNS, TLS, a truncated or undecodable body: the request may or may not have reached
            # the server. Every call is safe to repeat (enrolment too: it carries its attempt id).
            raise SyncError(
                "sync.offline", f"无法连接城运中心服务器（{type(err).__name__}），稍后将自动重试。", retryable=True
            ) from err
        if response.status_code >= 400:
            raise _refusal(response)
        return body


# (server address, credential) -> a transport; tests put a fake network or a slow one behind it.
TransportFactory = Callable[[str, str], ServerTransport]


class KeptTransport:
    """The transport a `SyncService` keeps between runs, made again when the server, credential or factory change."""

    def __init__(self) -> None:
        self.transport: ServerTransport | None = None
        self.key: tuple[TransportFactory, str, str] | None = None

    def get(self, key: tuple[TransportFactory, str, str]) -> ServerTransport:
        if self.transport is None or self.key != key:
            self.close()
            factory, url, credential = key
            self.transport, self.key = factory(url, credential), key
        return self.transport

    def close(self) -> None:
        transport, self.transport, self.key = self.transport, None, None
        if transport is not None:
            transport.close()


def _refusal(response: httpx.Response) -> SyncError:
    status = response.status_code
    code, message, detail = f"http.{status}", "", {}
    try:
        error = response.json()["error"]
        code, message, detail = str(error["code"]), str(error["message"]), dict(error.get("detail") or {})
    except (ValueError, KeyError, TypeError):
        pass  # a proxy's HTML page or a cut-off body: the status says enough
    retry_after = _retry_after(response)
    if status in (401, 403):
        return SyncError(
            code,
            message or "服务器拒绝了本工作站的凭证（可能已停用），请联系街道管理员重新登记。",
            retryable=False,
            status=status,
            **detail,
        )
    if status in (408, 429) or status >= 500:
        return SyncError(
            code,
            message or f"城运中心服务器暂时无法处理（HTTP {status}），稍后将自动重试。",
            retryable=True,
            retry_after=retry_after,
            status=status,
            **detail,
        )
    return SyncError(code, message or f"服务器拒绝了请求（HTTP {status}）。", retryable=False, status=status, **detail)


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return min(max(seconds, 0.0), 600.0)
