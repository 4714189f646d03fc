"""The end-of-day receipt: what the server holds of a station's numbered events, for the desk to check its own log."""

from __future__ import annotations

from sqlalchemy import select

from gridstation.domain.enums import EventType
from gridstation.protocol import DayReceipt, DayReceiptRequest, missing_ranges, receipt_digest
from gridstation.server.core import ServerCore
from gridstation.server.errors import ServerError
from gridstation.server.models import QuarantineRow, ServerEventRow


class Receipts(ServerCore):
    def day_receipt(self, station_code: str, request: DayReceiptRequest) -> DayReceipt:
        if request.to_seq < request.from_seq:
            raise ServerError(400, "receipt.range", "序号范围有误：起始序号大于结束序号。")
        if request.to_seq - request.from_seq > 1_000_000:
            raise ServerError(400, "receipt.range_too_large", "一次核对的范围过大（最多 100 万条）。")
        with self.reading() as session:
            events = session.execute(
                select(
                    ServerEventRow.station_seq, ServerEventRow.content_hash, ServerEventRow.applied, ServerEventRow.type
                ).where(
                    ServerEventRow.station_code == station_code,
                    ServerEventRow.origin == "station",
                    ServerEventRow.station_seq.between(request.from_seq, request.to_seq),
                )
            ).all()
            quarantined = session.execute(
                select(QuarantineRow.station_seq, QuarantineRow.content_hash).where(
                    QuarantineRow.station_code == station_code,
                    QuarantineRow.station_seq.between(request.from_seq, request.to_seq),
                )
            ).all()
        items = [(int(seq), digest) for seq, digest, _, _ in events if seq is not None]
        items += [(int(seq), digest) for seq, digest in quarantined if seq is not None]
        held = {seq for seq, _ in items}
        return DayReceipt(
            station_code=station_code,
            label=request.label,
            from_seq=request.from_seq,
            to_seq=request.to_seq,
            held=len(items),
            applied=sum(1 for _, _, applied, _ in events if applied),
            conflicts=sum(1 for _, _, applied, _ in events if not applied),
            quarantined=len(quarantined),
            cases_registered=sum(1 for _, _, applied, kind in events if applied and kind == EventType.REGISTERED),
            missing=missing_ranges(held, request.from_seq, request.to_seq),
            digest=receipt_digest(items),
            server_time=self.now(),
        )
