from fastapi.testclient import TestClient

from engine.schemas import ExperimentConfig


def test_page_and_plotly_are_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/vendor/plotly.min.js" in page.text and "://cdn" not in page.text
    plotly = client.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and "plotly.js v" in plotly.text[:200]
    assert "javascript" in plotly.headers["content-type"]


def test_health_reports_sessions_and_device(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert (health["status"], health["sessions"], health["device"]) == ("ok", 0, "cpu")
    assert health["device_choice"] == {"why": "asked for", "measured": []}  # conftest: cpu
    assert health["threads"] >= 1 and health["tasks"] >= 1


def test_schema_lists_ranges_choices_defaults_and_presets(client: TestClient) -> None:
    body = client.get("/api/schema").json()
    assert body["defaults"] == ExperimentConfig().model_dump(mode="json")
    fields = body["fields"]
    assert fields["model.width"] == {"type": "integer", "default": 2, "min": 1, "max": 32}
    assert "checkerboard" in fields["data.dataset"]["choices"]
    assert fields["train.lr"]["min_exclusive"] is True
    lecture = body["presets"]["lecture"]
    assert lecture["model"]["width"] == 2 and lecture["model"]["depth"] == 4
    assert lecture["data"]["dataset"] == "spiral"


def test_dataset_preview_matches_the_generator(client: TestClient) -> None:
    body = client.get("/api/dataset", params={"dataset": "xor", "points": 30, "seed": 2}).json()
    assert len(body["x"]) == len(body["y"]) == 30 and body["classes"] == 2
    for (x, y), label in zip(body["x"], body["y"], strict=True):
        assert label == int(x * y < 0)


def test_bad_query_gets_a_422_that_names_the_field(client: TestClient) -> None:
    cases: list[tuple[dict[str, str | int], str]] = [
        ({"points": 10**7}, "points"),
        ({"dataset": "swirl"}, "dataset"),
        ({"noise": "lots"}, "noise"),
        ({"bogus": 1}, "bogus"),
    ]
    for params, field in cases:
        response = client.get("/api/dataset", params=params)
        assert response.status_code == 422, params
        assert response.json()["detail"][0]["loc"][-1] == field


def test_static_files_cannot_be_walked_out_of(client: TestClient) -> None:
    for path in [
        "/static/../server/app.py",
        "/static/%2e%2e/server/app.py",
        "/static/..%2fpyproject.toml",
    ]:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "create_app" not in response.text


def test_unknown_paths_are_404(client: TestClient) -> None:
    assert client.get("/api/nothing").status_code == 404


def test_pages_carry_a_policy_that_allows_only_our_own_scripts(client: TestClient) -> None:
    for path in ("/", "/api/health", "/static/main.js", "/nothing"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self' 'unsafe-eval'" in policy and "default-src 'self'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
