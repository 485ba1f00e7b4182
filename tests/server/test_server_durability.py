import subprocess
import sys

import httpx
from server_api import Api, login, next_weekday
from server_procs import REPO, running


def test_data_survives_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'durable.sqlite'}"
    with running(url, tmp_path / "log") as server:
        api = Api(server.url, login(server.url, "admin@example.com", "admin12345"))
        service, staff = api.service(capacity=2), api.staff("Dura", "Ble")
        api.window(staff["id"])
        booked = api.book(service["id"], staff["id"], next_weekday(0), "10:00").json()
        api.close()
    with running(url, tmp_path / "log") as server:
        api = Api(server.url, login(server.url, "admin@example.com", "admin12345"))
        assert api.get(f"/services/{service['id']}").json() == service
        assert api.get(f"/staff/{staff['id']}").json() == staff
        assert api.get(f"/appointments/{booked['id']}").json() == booked
        assert len(api.get("/tenants/me").json()["outlets"]) == 1
        api.close()
    assert "seeded" in (tmp_path / "log").read_text().split("Reference server on")[1]
    assert "seeded" not in (tmp_path / "log").read_text().split("Reference server on")[2]


def test_unknown_fault_refuses_to_start(tmp_path):
    command = [
        sys.executable,
        "-m",
        "reference_server",
        "--fault",
        "no-such-fault",
        "--port",
        "1",
        "--database-url",
        f"sqlite:///{tmp_path / 'x.sqlite'}",
    ]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "no-such-fault" in result.stderr


def test_health_reports_the_database(server):
    assert httpx.get(f"{server.url}/health").json()["database"] == "sqlite"
