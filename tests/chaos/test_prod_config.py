"""Production configuration stays consistent: endpoints.prod.yml, deploy/prod.env,
deploy/docker-compose.yml, the Helm chart, docs/deployment.md and scripts/stack.py.

No Docker engine or Kubernetes here, so the deployment files cannot be run; these checks make
sure they at least name the same variables the tested stack uses.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scripts.stack import ROOT, _endpoints_for, load_env_file, services

PROD_ENDPOINTS = ROOT / "endpoints.prod.yml"
PROD_ENV = ROOT / "deploy" / "prod.env"
COMPOSE = ROOT / "deploy" / "docker-compose.yml"
HELM = ROOT / "deploy" / "helm"
DOCS = ROOT / "docs" / "deployment.md"


def endpoint_variables() -> set:
    lines = PROD_ENDPOINTS.read_text(encoding="utf-8").splitlines()
    code = "\n".join(line.split("#", 1)[0] for line in lines)  # not the comments
    return set(re.findall(r"\$\{([A-Z0-9_]+)\}", code))


def test_prod_endpoints_expand_with_prod_env_through_rasas_own_reader(monkeypatch):
    from rasa.core.utils import read_endpoints_from_path

    env = load_env_file(PROD_ENV)
    for name in endpoint_variables():
        monkeypatch.setenv(name, env.get(name, "http://127.0.0.1:5055/webhook"))
    endpoints = read_endpoints_from_path(str(PROD_ENDPOINTS))
    assert endpoints.tracker_store.type == "SQL"
    assert endpoints.tracker_store.kwargs["dialect"] == "postgresql"
    assert endpoints.tracker_store.url == "127.0.0.1"
    assert endpoints.tracker_store.kwargs["db"] == env["TRACKER_DB_NAME"]
    assert endpoints.lock_store.type == "redis"
    assert endpoints.lock_store.kwargs["key_prefix"] == "koege"
    assert endpoints.action.url == "http://127.0.0.1:5055/webhook"


def test_default_endpoints_stay_in_memory():
    text = (ROOT / "endpoints.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    assert "tracker_store" not in data and "lock_store" not in data


def test_prod_env_sets_every_endpoint_variable_except_the_per_replica_one():
    env = load_env_file(PROD_ENV)
    assert endpoint_variables() - set(env) == {"ACTION_ENDPOINT_URL"}  # set by the stack
    assert env["KOEGE_ENDPOINTS"] == "endpoints.prod.yml"
    assert env["DATABASE_URL"].startswith("postgresql://")


def test_compose_gives_every_rasa_replica_every_endpoint_variable():
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    rasa = [s for n, s in compose["services"].items() if n.startswith("rasa-")]
    assert len(rasa) >= 2
    for service in rasa:
        assert endpoint_variables() <= set(service["environment"])
    gateway = compose["services"]["gateway"]["environment"]
    assert gateway["RASA_URL"].count(",") == len(rasa) - 1


TRACKER_DB = ("TRACKER_DB_HOST", "TRACKER_DB_PORT", "TRACKER_DB_NAME", "TRACKER_DB_USER", "TRACKER_DB_PASSWORD")


def test_gateway_reads_the_same_tracker_store_as_rasa():
    """The staff console's unanswered-questions list reads Rasa's tracker store."""
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    rasa = compose["services"]["rasa-1"]["environment"]
    gateway = compose["services"]["gateway"]["environment"]
    assert {k: gateway.get(k) for k in TRACKER_DB} == {k: rasa[k] for k in TRACKER_DB}
    helm = (HELM / "koege-bot" / "templates" / "gateway.yaml").read_text(encoding="utf-8")
    assert set(TRACKER_DB) <= set(re.findall(r"name: ([A-Z][A-Z0-9_]+)", helm))


def test_helm_chart_gives_rasa_every_endpoint_variable():
    template = (HELM / "koege-bot" / "templates" / "rasa.yaml").read_text(encoding="utf-8")
    named = set(re.findall(r"name: ([A-Z][A-Z0-9_]+)", template))
    assert endpoint_variables() <= named
    values = yaml.safe_load((HELM / "values.yaml").read_text(encoding="utf-8"))
    assert values["rasa"]["replicas"] >= 2 and values["existingSecret"]


@pytest.mark.parametrize("source", [PROD_ENDPOINTS, PROD_ENV])
def test_every_variable_is_documented(source):
    documented = DOCS.read_text(encoding="utf-8")
    names = endpoint_variables() if source == PROD_ENDPOINTS else set(load_env_file(PROD_ENV))
    missing = sorted(n for n in names if f"`{n}`" not in documented and n not in documented)
    assert not missing, f"not in docs/deployment.md: {missing}"


def test_env_file_parser(tmp_path):
    path = tmp_path / "x.env"
    path.write_text('# c\n\nA=1\nexport B="two words"\nC=\nD=\'q\'\n', encoding="utf-8")
    assert load_env_file(path) == {"A": "1", "B": "two words", "C": "", "D": "q"}
    path.write_text("not a line\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        load_env_file(path)


def test_stack_spreads_replicas_over_action_servers(monkeypatch):
    monkeypatch.setenv("DA_SPACY_MODEL", "/nowhere")
    procs = {s.name: s for s in services(rasa_replicas=3, action_servers=2, env={"X": "1"})}
    assert set(procs) == {"actions-1", "actions-2", "rasa-1", "rasa-2", "rasa-3", "gateway"}
    hooks = [procs[f"rasa-{i}"].env["ACTION_ENDPOINT_URL"] for i in (1, 2, 3)]
    assert hooks == ["http://127.0.0.1:5055/webhook", "http://127.0.0.1:5056/webhook",
                     "http://127.0.0.1:5055/webhook"]
    assert procs["gateway"].env["RASA_URL"].split(",") == [
        "http://127.0.0.1:5005", "http://127.0.0.1:5006", "http://127.0.0.1:5007"]
    assert all(p.env["X"] == "1" for p in procs.values())
    single = [s.name for s in services()]
    assert single == ["actions", "rasa", "gateway"]  # the default stays as it was


def test_fixed_action_url_is_rewritten_per_replica_only_when_needed(tmp_path):
    src = tmp_path / "endpoints.yml"
    src.write_text('action_endpoint:\n  url: "http://127.0.0.1:5055/webhook"\n', encoding="utf-8")
    assert _endpoints_for(str(src), "http://127.0.0.1:5055/webhook", 0, 1) == str(src)  # as it is
    moved = Path(_endpoints_for(str(src), "http://127.0.0.1:5955/webhook", 0, 1))  # other port
    assert yaml.safe_load(moved.read_text())["action_endpoint"]["url"] == "http://127.0.0.1:5955/webhook"
    out = Path(_endpoints_for(str(src), "http://127.0.0.1:5056/webhook", 1, 2))
    assert yaml.safe_load(out.read_text())["action_endpoint"]["url"] == "http://127.0.0.1:5056/webhook"
    assert _endpoints_for(str(PROD_ENDPOINTS), "http://x/webhook", 1, 2) == str(PROD_ENDPOINTS)


# --- issue 20: production gateway settings, metrics scraping with the token, restarts ----------


def test_production_deployments_set_allowed_hosts_and_metrics_token():
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    gateway = compose["services"]["gateway"]["environment"]
    assert gateway["KOEGE_DEMO_MODE"] == "false"
    assert ":?" in gateway["GATEWAY_ALLOWED_HOSTS"] and ":?" in gateway["GATEWAY_METRICS_TOKEN"]  # required
    helm = (HELM / "koege-bot" / "templates" / "gateway.yaml").read_text(encoding="utf-8")
    assert "GATEWAY_ALLOWED_HOSTS" in helm and "required" in helm
    token_ref = re.search(r"name: GATEWAY_METRICS_TOKEN\s+valueFrom: (.*)", helm).group(1)
    assert "key: metrics-token" in token_ref and "optional" not in token_ref
    assert "prometheus.io/scrape:" not in helm  # annotation scraping cannot send the token
    values = yaml.safe_load((HELM / "values.yaml").read_text(encoding="utf-8"))
    assert values["gateway"]["allowedHosts"] and values["metrics"]["serviceMonitor"] is True
    systemd_env = load_env_file(ROOT / "deploy" / "systemd" / "koege.env.example")
    assert systemd_env["KOEGE_DEMO_MODE"] == "false" and systemd_env["GATEWAY_ALLOWED_HOSTS"]
    assert "GATEWAY_METRICS_TOKEN" in systemd_env


def test_every_scraper_sends_the_metrics_token():
    monitor = (HELM / "koege-bot" / "templates" / "servicemonitor.yaml").read_text(encoding="utf-8")
    assert "type: Bearer" in monitor and "key: metrics-token" in monitor and "path: /metrics" in monitor
    prometheus = yaml.safe_load((ROOT / "deploy" / "prometheus.yml").read_text(encoding="utf-8"))
    [job] = prometheus["scrape_configs"]
    assert job["metrics_path"] == "/metrics"
    assert job["authorization"]["type"] == "Bearer" and job["authorization"]["credentials_file"]


def _unit(name: str) -> dict:
    import configparser

    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(ROOT / "deploy" / "systemd" / name, encoding="utf-8")
    return parser


@pytest.mark.parametrize("name", ["koege-actions.service", "koege-rasa.service", "koege-gateway.service"])
def test_systemd_units_restart_with_backoff_and_give_up(name):
    unit = _unit(name)
    assert unit["Service"]["Restart"] == "always"
    assert unit["Service"]["RestartSec"] and unit["Service"]["RestartMaxDelaySec"]
    assert int(unit["Unit"]["StartLimitBurst"]) == 5 and int(unit["Unit"]["StartLimitIntervalSec"]) >= 120
    assert unit["Unit"]["PartOf"] == "koege.target" and unit["Install"]["WantedBy"] == "koege.target"
    assert unit["Service"]["EnvironmentFile"] == "/etc/koege/koege.env"
    # The same commands the stack runs (scripts/stack.py services()).
    module = {"koege-actions.service": "-m rasa_sdk --actions actions", "koege-rasa.service": "rasa run",
              "koege-gateway.service": "-m bot"}[name]
    assert module in unit["Service"]["ExecStart"]


def test_compose_restarts_every_service_and_docs_say_how():
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert all(svc.get("restart") == "unless-stopped" for svc in compose["services"].values())
    documented = DOCS.read_text(encoding="utf-8")
    for needle in ("deploy/systemd/", "restart: unless-stopped", "koege_stack_restarts_total",
                   "GATEWAY_ALLOWED_HOSTS", "dev-only-not-a-secret-change-me"):
        assert needle in documented, needle


def test_every_deployment_runs_the_gateway_from_its_own_lock_with_shared_state():
    """Issue 20: the gateway has its own environment (current aiohttp, no Rasa) everywhere it
    runs, and every multi-gateway deployment shares its sessions and limits in Redis."""
    dockerfile = (ROOT / "deploy" / "docker" / "gateway.Dockerfile").read_text(encoding="utf-8")
    assert "requirements-gateway.lock" in dockerfile and "app-packages" not in dockerfile
    assert "/.venv-gateway/bin/python -m bot" in _unit("koege-gateway.service")["Service"]["ExecStart"]
    compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    gateway, rasa = compose["services"]["gateway"], compose["services"]["rasa-1"]["environment"]
    url = gateway["environment"]["REDIS_URL"]
    assert url.startswith("redis://redis:") and not url.endswith(f"/{rasa['REDIS_DB']}")  # not Rasa's db
    assert "redis" in gateway["depends_on"]
    helm = (HELM / "koege-bot" / "templates" / "gateway.yaml").read_text(encoding="utf-8")
    assert "name: REDIS_URL" in helm and ".Values.redis.gatewayDb" in helm
    values = yaml.safe_load((HELM / "values.yaml").read_text(encoding="utf-8"))
    assert values["redis"]["gatewayDb"] != values["redis"]["db"]
    assert load_env_file(PROD_ENV)["REDIS_URL"].startswith("redis://127.0.0.1:6379/")
