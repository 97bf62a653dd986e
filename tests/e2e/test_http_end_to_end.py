"""End to end over real HTTP: the local server on a free port, the sample campaign, the CSV by its URL."""

from __future__ import annotations

import csv
import io
import time

import pytest
import requests

from campaign_status.signature import signature_for
from campaign_status.settings import settings
from infra.local.gateway import LocalGateway, serve_http
from infra.local.runtime import free_port
from tests.conftest import EVENTS

STATUS_TITLES = {"not_attempted": "Not Attempted", "pending": "Pending", "sent": "Sent",
                 "delivered": "Delivered", "read": "Read", "failed": "Failed"}


@pytest.fixture
def base_url(aws):
    port = free_port()
    server = serve_http(LocalGateway(aws), port)
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


def test_campaign_to_csv_over_http(base_url):
    campaign = "c-diwali-2026"
    response = requests.post(f"{base_url}/campaigns/{campaign}/recipients", timeout=30,
                             data=(EVENTS / "campaign" / "recipients.json").read_bytes(),
                             headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json() == {"accepted": 24}
    for path in sorted((EVENTS / "webhooks").glob("*.json")):
        raw = path.read_bytes()
        signed = requests.post(f"{base_url}/webhooks/whatsapp", data=raw, timeout=30,
                               headers={"X-Hub-Signature-256": signature_for(raw, settings().app_secret)})
        assert signed.status_code == 200, path.name

    rows, cursor = [], None
    while True:
        page = requests.get(f"{base_url}/campaigns/{campaign}/recipients", timeout=30,
                            params={"limit": 10, **({"cursor": cursor} if cursor else {})}).json()
        rows += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break

    report_id = requests.post(f"{base_url}/campaigns/{campaign}/reports", json={}, timeout=30).json()["report_id"]
    deadline = time.time() + 60
    while (report := requests.get(f"{base_url}/campaigns/{campaign}/reports/{report_id}", timeout=30).json())["status"] == "RUNNING":
        assert time.time() < deadline
        time.sleep(0.2)
    assert report["status"] == "SUCCEEDED"
    download = requests.get(report["download_url"], timeout=30)
    assert download.status_code == 200
    body = download.content
    assert body.startswith(b"\xef\xbb\xbf") and b"\r\n" in body
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    by_lead = {r["lead_id"]: r for r in rows}
    assert len(table) - 1 == len(by_lead) == 24
    for cells in table[1:]:
        row = by_lead[cells[0]]
        assert cells[1] == row["phone"] if row["phone"].startswith("+") and row["phone"][1:].isdigit() else True
        assert cells[2] == row["last_step_timestamp"]
        assert cells[3] == row["last_step_executed"]
        assert cells[4] == row["last_step_status"]
        details = row["last_step_details"]
        assert cells[5] == ("'" + details if details[:1] in ("=", "+", "-", "@", "\t", "\r") else details)
        assert cells[6] == STATUS_TITLES[row["delivery_status"]]
        if row["delivery_status"] == "failed":
            assert f"({row['delivery_error_code']})" in cells[7]
            assert cells[7] == row["delivery_error_message"]
