"""Every export carries group_id and group_size (CSV, NDJSON, JSON-LD; on PostgreSQL by COPY)."""

import csv
import io
import json

import pytest

from annotations.campaigns.models import CampaignGroup
from annotations.models import Annotation, Status
from tests.annotations.campaigns.conftest import OTHER

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/treaties/sample/annotations/export/"


def csv_rows(client, **params: str) -> dict[int, dict[str, str]]:  # type: ignore[no-untyped-def]
    response = client.get(EXPORT, {"format": "csv", **params})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {int(row["id"]): row for row in csv.DictReader(io.StringIO(text))}


def test_csv_and_ndjson_carry_the_group_as_each_reader_counts_it(
    coalition: list[Annotation], comment, anon, mod, api_client_as
) -> None:  # type: ignore[no-untyped-def]
    loner = comment(OTHER)
    Annotation.objects.filter(pk=coalition[3].pk).update(status=Status.PENDING)
    group = CampaignGroup.objects.get()
    public = csv_rows(anon)
    assert public[coalition[0].pk]["group_id"] == str(group.pk)
    assert public[coalition[0].pk]["group_size"] == "3"  # the pending copy is not public
    assert public[loner.pk]["group_id"] == public[loner.pk]["group_size"] == ""
    moderated = csv_rows(api_client_as(mod))
    assert moderated[coalition[3].pk]["group_size"] == "4"
    response = anon.get(EXPORT, {"format": "ndjson"})
    lines = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    records = {record["id"]: record for record in lines}
    assert records[coalition[1].pk]["group_id"] == group.pk and records[coalition[1].pk]["group_size"] == 3
    assert records[loner.pk]["group_id"] is None and records[loner.pk]["group_size"] is None


def test_json_ld_carries_the_group(coalition: list[Annotation], anon) -> None:  # type: ignore[no-untyped-def]
    group = CampaignGroup.objects.get()
    document = anon.get(f"/api/v1/annotations/{coalition[0].pk}/", {"format": "jsonld"}).json()
    assert document["marginalia:groupId"] == group.pk and document["marginalia:groupSize"] == 4
