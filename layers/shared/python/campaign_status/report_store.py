"""Data access for reports: the report item in DynamoDB, part and final objects in S3."""

from __future__ import annotations

from datetime import datetime, timezone

from boto3.dynamodb.conditions import Attr

from . import aws
from .models import Report
from .settings import settings

MIN_PART_BYTES = 5 * 1024 * 1024  # S3's smallest multipart part (but the last)


def _table():
    return aws.table(settings().table_name)


def _key(campaign_id: str, report_id: str) -> dict:
    return {"pk": f"C#{campaign_id}", "sk": f"REPORT#{report_id}"}


def create(report: Report) -> None:
    item = {**_key(report.campaign_id, report.report_id), "kind": "report", **report.model_dump(mode="json", exclude_none=True)}
    _table().put_item(Item=item, ConditionExpression=Attr("pk").not_exists())


def get(campaign_id: str, report_id: str) -> Report | None:
    item = _table().get_item(Key=_key(campaign_id, report_id), ConsistentRead=True).get("Item")
    return Report.model_validate(item) if item else None


def add_rows_written(campaign_id: str, report_id: str, rows: int) -> None:
    _table().update_item(
        Key=_key(campaign_id, report_id),
        UpdateExpression="ADD rows_written :n",
        ExpressionAttributeValues={":n": rows},
    )


def set_rows_total(campaign_id: str, report_id: str, rows_total: int) -> None:
    _table().update_item(
        Key=_key(campaign_id, report_id),
        UpdateExpression="SET rows_total = :t",
        ExpressionAttributeValues={":t": rows_total},
    )


def finish(campaign_id: str, report_id: str, object_key: str, rows: int) -> Report:
    """Mark the report SUCCEEDED; returns it as stored now."""
    item = _table().update_item(
        Key=_key(campaign_id, report_id),
        UpdateExpression="SET #s = :s, object_key = :k, rows_written = :r, rows_total = :r, finished_at = :f",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={
            ":s": "SUCCEEDED",
            ":k": object_key,
            ":r": rows,
            ":f": datetime.now(timezone.utc).isoformat(),
        },
        ReturnValues="ALL_NEW",
    )["Attributes"]
    return Report.model_validate(item)


def fail(campaign_id: str, report_id: str, reason: str) -> None:
    _table().update_item(
        Key=_key(campaign_id, report_id),
        UpdateExpression="SET #s = :s, #e = :e, finished_at = :f",
        ExpressionAttributeNames={"#s": "status", "#e": "error"},
        ExpressionAttributeValues={":s": "FAILED", ":e": reason[:1000], ":f": datetime.now(timezone.utc).isoformat()},
    )


def parts_prefix(campaign_id: str, report_id: str) -> str:
    # Apart from reports/ so that a lifecycle rule sweeps parts a failed job's stragglers leave.
    return f"report-parts/{campaign_id}/{report_id}/"


def part_key(campaign_id: str, report_id: str, slice_index: int) -> str:
    return f"{parts_prefix(campaign_id, report_id)}{slice_index:05d}.csv"


def list_keys(prefix: str) -> list[str]:
    keys = []
    for page in aws.s3().get_paginator("list_objects_v2").paginate(Bucket=settings().bucket_name, Prefix=prefix):
        keys += [o["Key"] for o in page.get("Contents", [])]
    return keys


def final_key(campaign_id: str, report_id: str) -> str:
    return f"reports/{campaign_id}/{report_id}.csv"


class ObjectWriter:
    """Writes one S3 object from a stream of byte chunks, holding one part in memory.

    The part buffer is allocated once and filled in place, and parts are exactly
    MIN_PART_BYTES (but the last): a slice of a million rows then makes no large
    allocation after its first, so its memory stays what it was at the first part
    (growing and freeing multi-megabyte buffers part after part lets the C heap fragment
    and grow with the number of parts).
    """

    def __init__(self, key: str, content_type: str = "text/csv; charset=utf-8"):
        self.key = key
        self._content_type = content_type
        self._part: bytearray | None = None
        self._filled = 0
        self._upload_id: str | None = None
        self._parts: list[dict] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        if self._part is None:
            self._part = bytearray(MIN_PART_BYTES)
        view = memoryview(data)
        while view:
            taken = view[: MIN_PART_BYTES - self._filled]
            self._part[self._filled : self._filled + len(taken)] = taken
            self._filled += len(taken)
            self.size += len(taken)
            view = view[len(taken) :]
            if self._filled == MIN_PART_BYTES:
                self._flush()

    def _buffered(self) -> bytes | bytearray:
        if self._filled == MIN_PART_BYTES:
            return self._part  # the whole buffer, uploaded as it is
        return bytes(memoryview(self._part)[: self._filled]) if self._part is not None else b""

    def copy_object(self, source_key: str) -> None:
        """Append a whole object (at least MIN_PART_BYTES) by server-side copy when nothing is buffered."""
        if self._filled:
            raise ValueError("copy only on a part boundary")
        self._ensure_upload()
        number = len(self._parts) + 1
        response = aws.s3().upload_part_copy(
            Bucket=settings().bucket_name,
            Key=self.key,
            UploadId=self._upload_id,
            PartNumber=number,
            CopySource={"Bucket": settings().bucket_name, "Key": source_key},
        )
        self._parts.append({"PartNumber": number, "ETag": response["CopyPartResult"]["ETag"]})

    def at_part_boundary(self) -> bool:
        return self._filled == 0

    def _ensure_upload(self) -> None:
        if self._upload_id is None:
            self._upload_id = aws.s3().create_multipart_upload(
                Bucket=settings().bucket_name, Key=self.key, ContentType=self._content_type
            )["UploadId"]

    def _flush(self) -> None:
        self._ensure_upload()
        number = len(self._parts) + 1
        response = aws.s3().upload_part(
            Bucket=settings().bucket_name, Key=self.key, UploadId=self._upload_id, PartNumber=number, Body=self._buffered()
        )
        self._parts.append({"PartNumber": number, "ETag": response["ETag"]})
        self._filled = 0

    def close(self) -> None:
        if self._upload_id is None:
            aws.s3().put_object(
                Bucket=settings().bucket_name, Key=self.key, Body=self._buffered(), ContentType=self._content_type
            )
            return
        if self._filled or not self._parts:
            self._flush()
        aws.s3().complete_multipart_upload(
            Bucket=settings().bucket_name, Key=self.key, UploadId=self._upload_id, MultipartUpload={"Parts": self._parts}
        )

    def abort(self) -> None:
        if self._upload_id is not None:
            aws.s3().abort_multipart_upload(Bucket=settings().bucket_name, Key=self.key, UploadId=self._upload_id)


def read_chunks(key: str, chunk_bytes: int = 1024 * 1024):
    body = aws.s3().get_object(Bucket=settings().bucket_name, Key=key)["Body"]
    yield from body.iter_chunks(chunk_bytes)


def delete_objects(keys: list[str]) -> None:
    for i in range(0, len(keys), 1000):
        aws.s3().delete_objects(
            Bucket=settings().bucket_name, Delete={"Objects": [{"Key": k} for k in keys[i : i + 1000]], "Quiet": True}
        )


def presigned_download(key: str, filename: str, expires_in: int) -> str:
    return aws.s3().generate_presigned_url(
        "get_object",
        Params={
            "Bucket": settings().bucket_name,
            "Key": key,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
            "ResponseContentType": "text/csv; charset=utf-8",
        },
        ExpiresIn=expires_in,
    )


def start_execution(name: str, payload: str) -> None:
    aws.stepfunctions().start_execution(stateMachineArn=settings().state_machine_arn, name=name, input=payload)
