"""Every NENA EIDO registry file reads through the public reader, duplicates and all."""

from __future__ import annotations

import pytest

from rtcc_desk.adapters.cad import parse_eido, read_registry_codes

# rows in each file, and the distinct codes they hold (FVEH and MAYDAY are listed twice upstream)
REGISTRIES = {
    "eido_registry_common_disposition_codes.csv": 45,
    "eido_registry_emergency_resource_type_common.csv": 102,
    "eido_registry_incident_status_common.csv": 10,
    "eido_registry_incident_type_common.csv": 245,
    "eido_registry_location_type.csv": 9,
    "eido_registry_primary_unit_status_common.csv": 3,
    "eido_registry_secondary_unit_status_common.csv": 41,
}


@pytest.mark.parametrize(("name", "distinct"), REGISTRIES.items())
def test_registry_reads_with_every_code(real_data, name, distinct):
    codes = read_registry_codes(real_data / "eido" / name)
    assert len(codes) == distinct
    assert all(code == code.strip().upper() and code for code in codes)


def test_every_registry_file_is_covered(real_data):
    assert {p.name for p in (real_data / "eido").glob("eido_registry_*.csv")} == set(REGISTRIES)


def test_incident_status_from_the_registry_becomes_the_call_status(real_data):
    statuses = read_registry_codes(real_data / "eido" / "eido_registry_incident_status_common.csv")
    assert {"ACTIVE", "CLOSED"} <= statuses
    document = {
        "$id": "urn:emergency:uid:incidentid:test:spt",
        "lastUpdateTimeStamp": "2026-11-25T03:10:00-06:00",
        "eidoVersion": "1.0",
        "incidentComponent": [{
            "$id": "urn:emergency:uid:incidentid:test:spt",
            "lastUpdateTimeStamp": "2026-11-25T03:10:00-06:00",
            "incidentTrackingIdentifier": "urn:emergency:uid:incidentid:test:spt",
            "incidentStatusCommonRegistryText": ["Active"],
            "incidentTypeCommonRegistryText": "ROBBERY",
        }],
    }
    call = parse_eido(document)
    assert call.status.upper() in statuses
    assert call.call_type.common_code == "ROBBERY"
